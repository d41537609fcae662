package io.dint.lock;

import io.dint.client.ClientStats;
import io.dint.client.PipelinedClient;
import io.dint.client.Transport;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * A {@link PipelinedClient} whose transactions come from a {@link LockTrace}, taken in order from
 * {@code traceOffset} and wrapping around, so threads started at different offsets run different
 * transactions. A subclass is a lock protocol over the trace ({@link LockClient}, {@code
 * OccClient}): each slot is in one of its phases ({@link #phase}) at one lock of the transaction
 * ({@link #step}), and it sees every reply but RETRY, which means the server's entry was busy for
 * an instant: the same request goes again, counted.
 */
public abstract class TraceClient extends PipelinedClient {
    protected final LockTrace trace;
    /** The protocol's phase of each slot's transaction. */
    protected final int[] phase;
    /** The trace index of the lock each slot's outstanding request is about. */
    protected final int[] step;
    private final int[] txn; // trace index of the slot's transaction
    private int nextTxn;

    protected TraceClient(Transport transport, ClientStats stats, LockTrace trace, int clientId, int serverAddr,
                          int serverPort, int inflight, int traceOffset, long timeoutNanos, long txnLimit, int messageSize) {
        super(transport, stats, clientId, serverAddr, serverPort, inflight, timeoutNanos, txnLimit, messageSize);
        this.trace = trace;
        this.phase = new int[inflight];
        this.step = new int[inflight];
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

    @Override
    protected final void onStatus(int slot, MemorySegment b, int status, long now) {
        if (status == Status.RETRY) {
            stats.add(ClientStats.RETRIES, 1);
            resend(slot);
            return;
        }
        onAnswer(slot, b, status, now);
    }

    /** Reacts to a reply other than RETRY to the slot's current request; must send, resend, restart or commit. */
    protected abstract void onAnswer(int slot, MemorySegment b, int status, long now);
}
