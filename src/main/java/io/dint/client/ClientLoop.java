package io.dint.client;

import java.lang.foreign.MemorySegment;

/**
 * The duty cycle every client runs over one {@link Transport}: write what is queued into a batch
 * of datagrams and flush it, poll for replies, hand each reply over, scan for requests whose
 * timeout ran out — until nothing is active. Subclasses keep their requests' state (allocation-free,
 * in arrays) and say what is queued, what a reply means and what a timeout does:
 * {@link InflightLoop} for the microbenchmark clients (one request per slot, one server, a fixed
 * timeout), the transaction coordinator's loop ({@link io.dint.txn.TxnEngine}: a phase's many
 * requests per slot across the shards, adaptive timeouts, bounded retries).
 *
 * <p>Datagrams go out through {@link #nextTx} and {@link #addTx}: a full batch is flushed on the
 * way, the rest after {@link #queueSends}. A datagram the transport does not take goes unanswered:
 * the subclass's timeout scan queues it again.
 */
public abstract class ClientLoop implements LoadLoop {
    protected final Transport transport;
    protected final ClientStats stats;
    private int batched; // datagrams written into the transport's buffers, not flushed yet
    private volatile boolean stopping;

    protected ClientLoop(Transport transport, ClientStats stats) {
        this.transport = transport;
        this.stats = stats;
    }

    /** Starts the loop's work at {@code now}; returns how many slots are active (0: nothing to do). */
    protected abstract int start(long now);

    /** Writes every request waiting to be (re)sent through {@link #nextTx} and {@link #addTx}. */
    protected abstract void queueSends(long now);

    /** One datagram received at {@code now}: {@code buf[0, len)}, valid until the next poll. */
    protected abstract void receive(MemorySegment buf, int len, long now);

    /** Queues again what timed out, moves on what waited long enough; returns the active slots (0 ends the run). */
    protected abstract int scan(long now);

    /** Called once when the run ends, normally or not: releases what the loop holds. */
    protected void finished() {}

    /** Asks the loop to finish what is in flight and return. */
    @Override
    public final void stop() {
        stopping = true;
    }

    /** True once {@link #stop} was called: a slot that ends its work should take no more. */
    protected final boolean stopping() {
        return stopping;
    }

    @Override
    public final void run() {
        try {
            long now = System.nanoTime();
            int active = start(now);
            while (active > 0) {
                now = System.nanoTime();
                queueSends(now);
                flush();
                int n = transport.poll(1);
                now = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    receive(transport.rxBuffer(i), transport.rxLength(i), now);
                }
                active = scan(now);
            }
        } finally {
            finished();
        }
    }

    /** The buffer of the next datagram of the batch; a full batch is flushed first. */
    protected final MemorySegment nextTx() {
        if (batched == transport.capacity()) {
            flush();
        }
        return transport.txBuffer(batched);
    }

    /** Adds the datagram just written into {@link #nextTx}'s buffer, {@code len} bytes to {@code addr:port}, to the batch. */
    protected final void addTx(int len, int addr, int port) {
        transport.setTx(batched++, len, addr, port);
    }

    private void flush() {
        if (batched > 0) {
            // what does not go out is found by the timeout scan and resent
            stats.add(ClientStats.REQUESTS, transport.flush(batched));
            batched = 0;
        }
    }
}
