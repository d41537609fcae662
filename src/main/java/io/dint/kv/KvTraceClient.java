package io.dint.kv;

import io.dint.client.ClientStats;
import io.dint.client.InflightLoop;
import io.dint.client.Transport;

/**
 * A load loop that walks a {@link KvTrace}, one request per slot at a time, each request a
 * "transaction" of one in the counters; subclasses speak a protocol. Allocation-free.
 */
abstract class KvTraceClient extends InflightLoop {
    protected final KvTrace trace;
    private final long requestLimit;
    private final int[] request;   // trace index of the slot's request
    private final long[] startedAt;
    private int next;
    private long started;

    KvTraceClient(Transport transport, ClientStats stats, KvTrace trace, int serverAddr, int serverPort, int inflight,
                  int traceOffset, long timeoutNanos, long requestLimit) {
        super(transport, stats, serverAddr, serverPort, inflight, timeoutNanos);
        this.trace = trace;
        this.requestLimit = requestLimit;
        this.request = new int[inflight];
        this.startedAt = new long[inflight];
        this.next = Math.floorMod(traceOffset, trace.length());
    }

    /** Names the slot's new request (its seq or request id) before it is first sent. */
    protected abstract void name(int s);

    /** Trace index of slot {@code s}'s request. */
    protected final int request(int s) {
        return request[s];
    }

    @Override
    protected final void begin(int s, long now) {
        if (stopping() || (requestLimit > 0 && started >= requestLimit)) {
            retire(s);
            return;
        }
        started++;
        request[s] = next;
        next = next + 1 == trace.length() ? 0 : next + 1;
        startedAt[s] = now;
        name(s);
        queue(s);
    }

    /** Slot {@code s}'s request is answered: counted, and the slot takes the next one. */
    protected final void complete(int s, long now, boolean asExpected) {
        if (!asExpected) {
            stats.add(ClientStats.PROTOCOL_ERRORS, 1);
        }
        stats.add(ClientStats.COMMITTED, 1);
        stats.add(ClientStats.GOOD_REQUESTS, 1);
        stats.recordTxn(now - startedAt[s]);
        begin(s, now);
    }
}
