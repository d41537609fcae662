package io.dint.client;

import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one load-generating thread counts, written by that thread alone and read by the
 * benchmark between intervals. Counters are single-writer (lazySet, no fence per request);
 * latencies go to HdrHistogram recorders, which record without allocating.
 */
public final class ClientStats {
    public static final int REQUESTS = 0;     // datagrams sent, retransmissions included
    public static final int REPLIES = 1;      // replies matched to an outstanding request
    public static final int RETRIES = 2;      // RETRY replies (resent)
    public static final int TIMEOUTS = 3;     // requests resent after no reply in time
    public static final int STALE = 4;        // replies to requests no longer outstanding
    public static final int COMMITTED = 5;    // transactions committed
    public static final int ABORTED = 6;      // transaction attempts aborted (restarted)
    public static final int GOOD_REQUESTS = 7;// requests of committed attempts
    public static final int PROTOCOL_ERRORS = 8; // replies the protocol does not expect
    public static final int ROLLED_BACK = 9;  // transactions the application rolled back (not retried)
    public static final int ABORTED_VALIDATION = 10; // of ABORTED: OCC validation failed
    public static final int UNKNOWN = 11;     // transactions whose outcome the coordinator could not learn (gave up in LOG)
    public static final int GAVE_UP = 12;     // of ABORTED: attempts abandoned before LOG after their bounded retries
    public static final int COUNT = 13;

    private static final String[] NAMES = {"requests", "replies", "retries", "timeouts", "stale",
        "committed", "aborted", "good_requests", "protocol_errors", "rolled_back", "aborted_validation", "unknown_outcomes",
        "gave_up"};

    private static final long MAX_NS = 60_000_000_000L;

    private final AtomicLongArray counters = new AtomicLongArray(COUNT);
    private final Recorder requestLatency = new Recorder(1, MAX_NS, 3);
    private final Recorder txnLatency = new Recorder(1, MAX_NS, 3);

    public static String name(int counter) {
        return NAMES[counter];
    }

    /** Adds {@code n} to a counter; only the owning thread calls this. */
    public void add(int counter, long n) {
        counters.lazySet(counter, counters.get(counter) + n);
    }

    public long get(int counter) {
        return counters.get(counter);
    }

    public long[] snapshot() {
        long[] s = new long[COUNT];
        for (int i = 0; i < COUNT; i++) {
            s[i] = counters.get(i);
        }
        return s;
    }

    public void recordRequest(long nanos) {
        requestLatency.recordValue(Math.min(Math.max(nanos, 1), MAX_NS));
    }

    public void recordTxn(long nanos) {
        txnLatency.recordValue(Math.min(Math.max(nanos, 1), MAX_NS));
    }

    /** Request latencies recorded since the last call (a fresh interval starts). */
    public Histogram takeRequestLatency() {
        return requestLatency.getIntervalHistogram();
    }

    /** Transaction latencies recorded since the last call. */
    public Histogram takeTxnLatency() {
        return txnLatency.getIntervalHistogram();
    }
}
