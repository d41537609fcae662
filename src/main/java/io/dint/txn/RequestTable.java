package io.dint.txn;

import io.dint.wire.RequestIds;
import io.dint.wire.Wire;

/**
 * The requests of every in-flight transaction's current phase: per slot up to
 * {@link #MAX_REQUESTS} requests, each with its op, shard and access or write index, whether it
 * waits to be (re)sent, is out or is answered, when it went out and its own timeout. A phase's
 * requests all go out at once; the phase ends when every one is answered.
 *
 * <p>Request ids ({@link RequestIds}): request {@code r} of slot {@code s} carries
 * <pre>
 *  63            32 31                13 12                        0
 * +----------------+--------------------+---------------------------+
 * |  incarnation   | phase counter (19) | s * MAX_REQUESTS + r (13) |
 * +----------------+--------------------+---------------------------+
 * </pre>
 * The low 13 bits ({@code log2} of the servers' dedup window, {@link Wire#DEDUP_WINDOW}) name
 * the request's own entry of its client's window: every request a coordinator may have
 * outstanding has an entry no other one uses, so a retransmission is always recognised and
 * never answered from another request's entry. Hence at most {@link #MAX_SLOTS} transactions in
 * flight per coordinator. The phase counter, per slot, gives each phase fresh ids; when a slot's
 * counter wraps the coordinator draws a new incarnation instead of reusing old ids.
 *
 * <p>Nothing is allocated per request: flat arrays indexed by {@code q = s * MAX_REQUESTS + r}.
 */
final class RequestTable {
    /**
     * The most requests one phase of one transaction has outstanding. A phase sends one request
     * per record, or per record and replica: EXECUTE, VALIDATE and RELEASE at most one per access
     * ({@link TxnContext#MAX_ACCESSES}, 16), LOG and RELOG one per write and replica
     * ({@link TxnContext#MAX_WRITES} × {@link TxnEngine#REPLICAS}, 24), BACKUP one per write and
     * backup (16), PRIMARY one per write (8). A context refuses a 17th access or a 9th write, so
     * no phase exceeds this; the workloads' largest transactions stay below it (TATP's population
     * of a subscriber: 6 blind inserts, 18 LOG requests; GET_NEW_DESTINATION: 4 reads; Smallbank's
     * Amalgamate: 3 locks, 9 LOG requests).
     */
    static final int MAX_REQUESTS = Math.max(TxnContext.MAX_ACCESSES, TxnContext.MAX_WRITES * TxnEngine.REPLICAS);
    /** Bits of a seq naming a request's dedup entry; the phase counter takes the rest of the low 32. */
    static final int INDEX_BITS = Integer.numberOfTrailingZeros(Wire.DEDUP_WINDOW);
    private static final int PHASE_MASK = (1 << (Wire.SEQ_INCARNATION_SHIFT - INDEX_BITS)) - 1;
    /** Slots whose requests all have an entry of their own in the dedup window: 8192 / 24 = 341. */
    static final int MAX_SLOTS = Wire.DEDUP_WINDOW / MAX_REQUESTS;

    static {
        if (Integer.bitCount(Wire.DEDUP_WINDOW) != 1 || MAX_SLOTS == 0) {
            throw new ExceptionInInitializerError("the dedup window (" + Wire.DEDUP_WINDOW + ") must be a power of two"
                    + " holding at least one transaction's " + MAX_REQUESTS + " requests");
        }
    }

    private static final byte QUEUED = 1, SENT = 2, ANSWERED = 3;

    private final int slots;
    private int incarnation = RequestIds.newIncarnation(0);
    // per slot
    private final int[] count;
    private final int[] outstanding;
    private final int[] phaseCounter; // 19 bits
    private final long[] phaseSeq;    // seq of the phase's request 0
    private final long[] phaseStart;  // when the phase began: its retries are bounded from there
    // per request
    private final int[] op;
    private final int[] server;
    private final int[] index;        // access or write index
    private final byte[] state;
    private final long[] sentAt;
    private final long[] rto;         // this request's timeout: doubles with each resend
    private final boolean[] resent;   // sent more than once: its reply's round trip is ambiguous

    RequestTable(int slots) {
        if (slots <= 0 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException("a request table holds 1.." + MAX_SLOTS + " slots, got " + slots);
        }
        this.slots = slots;
        count = new int[slots];
        outstanding = new int[slots];
        phaseCounter = new int[slots];
        phaseSeq = new long[slots];
        phaseStart = new long[slots];
        int n = slots * MAX_REQUESTS;
        op = new int[n];
        server = new int[n];
        index = new int[n];
        state = new byte[n];
        sentAt = new long[n];
        rto = new long[n];
        resent = new boolean[n];
    }

    /** For tests: every request from now on carries {@code fixed} as its incarnation. */
    void pinIncarnation(int fixed) {
        incarnation = fixed;
    }

    /** Slot {@code s} starts a phase: no requests yet, fresh ids. */
    void newPhase(int s) {
        phaseCounter[s] = (phaseCounter[s] + 1) & PHASE_MASK;
        if (phaseCounter[s] == 0) {
            // this slot counted through its ids: fresh ones, never those of an earlier phase
            incarnation = RequestIds.newIncarnation(incarnation);
        }
        phaseSeq[s] = RequestIds.seq(incarnation, phaseCounter[s] << INDEX_BITS | s * MAX_REQUESTS);
        phaseStart[s] = System.nanoTime();
        count[s] = 0;
        outstanding[s] = 0;
    }

    /** Slot {@code s} has nothing more to send; what it has out is no longer awaited. */
    void retire(int s) {
        count[s] = 0;
        outstanding[s] = 0;
    }

    /** Adds a request of the slot's phase, queued to go out with the next batch; returns its q. */
    int add(int s, int requestOp, int shard, int accessOrWrite, long timeoutNanos) {
        if (count[s] == MAX_REQUESTS) {
            throw new IllegalStateException("a phase of one transaction has at most " + MAX_REQUESTS + " requests");
        }
        int q = s * MAX_REQUESTS + count[s]++;
        op[q] = requestOp;
        server[q] = shard;
        index[q] = accessOrWrite;
        state[q] = QUEUED;
        resent[q] = false;
        rto[q] = timeoutNanos;
        outstanding[s]++;
        return q;
    }

    /** The request of the current phase of a slot that {@code seq} names and that is not answered yet, or -1. */
    int match(long seq) {
        int i = (int) (seq & (Wire.DEDUP_WINDOW - 1));
        int s = i / MAX_REQUESTS;
        int r = i % MAX_REQUESTS;
        if (s >= slots || r >= count[s] || seq != phaseSeq[s] + r || state[i] == ANSWERED) {
            return -1;
        }
        return i;
    }

    /** Request {@code q} is answered; returns how many of its phase are still outstanding. */
    int answered(int q) {
        state[q] = ANSWERED;
        return --outstanding[slotOf(q)];
    }

    /** Request {@code q} goes out again with the next batch, same seq (after RETRY). */
    void retry(int q) {
        state[q] = QUEUED;
    }

    /**
     * Queues again every request of slot {@code s} out for longer than its timeout, whose timeout
     * then backs off; returns how many.
     */
    int expire(int s, long now, RtoEstimator timer) {
        int expired = 0;
        for (int q = first(s), end = q + count[s]; q < end; q++) {
            if (state[q] == SENT && now - sentAt[q] > rto[q]) {
                state[q] = QUEUED;
                resent[q] = true;
                rto[q] = timer.backoff(rto[q]);
                expired++;
            }
        }
        return expired;
    }

    /** Request {@code q} went out at {@code now}. */
    void sent(int q, long now) {
        state[q] = SENT;
        sentAt[q] = now;
    }

    static int slotOf(int q) {
        return q / MAX_REQUESTS;
    }

    /** The q of slot {@code s}'s first request; its phase's are {@code [first, first + requests)}. */
    static int first(int s) {
        return s * MAX_REQUESTS;
    }

    int requests(int s) {
        return count[s];
    }

    int outstanding(int s) {
        return outstanding[s];
    }

    long phaseStart(int s) {
        return phaseStart[s];
    }

    boolean queued(int q) {
        return state[q] == QUEUED;
    }

    boolean isAnswered(int q) {
        return state[q] == ANSWERED;
    }

    /** True when {@code q} was sent more than once: its reply may answer any copy. */
    boolean resent(int q) {
        return resent[q];
    }

    long seq(int q) {
        return phaseSeq[slotOf(q)] + q % MAX_REQUESTS;
    }

    long sentAt(int q) {
        return sentAt[q];
    }

    int op(int q) {
        return op[q];
    }

    int server(int q) {
        return server[q];
    }

    int index(int q) {
        return index[q];
    }
}
