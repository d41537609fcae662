package io.dint.lock;

import io.dint.client.ClientStats;
import io.dint.client.PipelinedClient;
import io.dint.client.Transport;

/**
 * A {@link PipelinedClient} whose transactions come from a {@link LockTrace}, taken in order from
 * {@code traceOffset} and wrapping around, so threads started at different offsets run different
 * transactions.
 */
public abstract class TraceClient extends PipelinedClient {
    protected final LockTrace trace;
    private final int[] txn; // trace index of the slot's transaction
    private int nextTxn;

    protected TraceClient(Transport transport, ClientStats stats, LockTrace trace, int clientId, int serverAddr,
                          int serverPort, int inflight, int traceOffset, long timeoutNanos, long txnLimit, int messageSize) {
        super(transport, stats, clientId, serverAddr, serverPort, inflight, timeoutNanos, txnLimit, messageSize);
        this.trace = trace;
        this.txn = new int[inflight];
        this.nextTxn = Math.floorMod(traceOffset, trace.transactions());
    }

    @Override
    protected final void nextTransaction(int slot) {
        txn[slot] = nextTxn;
        nextTxn = nextTxn + 1 == trace.transactions() ? 0 : nextTxn + 1;
    }

    /** Trace index of the slot's transaction. */
    protected final int txn(int slot) {
        return txn[slot];
    }
}
