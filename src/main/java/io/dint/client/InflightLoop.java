package io.dint.client;

import io.dint.wire.Header;
import java.lang.foreign.MemorySegment;

/**
 * The loop of every load generator: {@code inflight} slots, each with at most one request
 * outstanding, over one {@link Transport} to one server. Requests waiting to be (re)sent go out
 * in batches; each reply is matched to its slot, counted and its latency recorded; a request
 * without a reply within the timeout is sent again. Subclasses say what a slot sends next and
 * what a reply means. Allocation-free: slot state lives in arrays.
 *
 * <p>The duty cycle is {@link ClientLoop}'s, shared with the transaction coordinator's loop
 * ({@link io.dint.txn.TxnEngine}). What stays here differs on purpose: a microbenchmark measures
 * one server with one request per slot, so a slot is its request (the seq names the slot) and the
 * timeout is fixed — an adaptive one would move with the load being measured. The coordinator
 * keeps a phase's many requests per slot across three shards in a request table, adapts its
 * timeouts (RFC 6298) and bounds its retries, because a lost reply there holds locks.
 */
public abstract class InflightLoop extends ClientLoop {
    private final int serverAddr;
    private final int serverPort;
    private final long timeoutNanos;
    private final long[] sentAt;
    private final boolean[] pending; // needs (re)sending
    private final boolean[] idle;    // nothing more to do: stopping

    protected InflightLoop(Transport transport, ClientStats stats, int serverAddr, int serverPort, int inflight,
                           long timeoutNanos) {
        super(transport, stats);
        if (inflight <= 0 || inflight > 65_536) {
            throw new IllegalArgumentException("in-flight requests must be in 1..65536, got " + inflight);
        }
        this.serverAddr = serverAddr;
        this.serverPort = serverPort;
        this.timeoutNanos = timeoutNanos;
        this.sentAt = new long[inflight];
        this.pending = new boolean[inflight];
        this.idle = new boolean[inflight];
    }

    /** Gives slot {@code s} its next request and {@link #queue}s it, or {@link #retire}s the slot. */
    protected abstract void begin(int s, long now);

    /** Writes slot {@code s}'s request into {@code buf}; returns its length. Called once per send. */
    protected abstract int encode(int s, MemorySegment buf);

    /** The slot whose outstanding request {@code buf[0, len)} answers, or -1 (counted stale). */
    protected abstract int match(MemorySegment buf, int len);

    /** Slot {@code s}'s reply, counted and timed; the slot sends nothing until told to. */
    protected abstract void onReply(int s, MemorySegment buf, int len, long now);

    protected final int inflight() {
        return sentAt.length;
    }

    /** Queues slot {@code s}'s request for (re)sending: it goes out, as {@link #encode} writes it, with the next batch. */
    protected final void queue(int s) {
        pending[s] = true;
    }

    /** Slot {@code s} has nothing more to send. */
    protected final void retire(int s) {
        idle[s] = true;
        pending[s] = false;
    }

    /**
     * For DINT messages: the slot of a reply of {@code size} bytes to {@code clientId} whose seq
     * is the slot's outstanding one; a seq names its slot in its low 16 bits. Else -1.
     */
    protected static int slotBySeq(MemorySegment b, int len, int size, int clientId, long[] seq) {
        if (len != size || Header.clientId(b) != clientId) {
            return -1;
        }
        long q = Header.seq(b);
        int s = (int) (q & 0xffff);
        return s < seq.length && seq[s] == q ? s : -1;
    }

    @Override
    protected final int start(long now) {
        for (int s = 0; s < sentAt.length; s++) {
            begin(s, now);
        }
        return sentAt.length;
    }

    @Override
    protected final void queueSends(long now) {
        for (int s = 0; s < sentAt.length; s++) {
            if (!pending[s]) {
                continue;
            }
            int len = encode(s, nextTx());
            addTx(len, serverAddr, serverPort);
            pending[s] = false;
            sentAt[s] = now;
        }
    }

    @Override
    protected final void receive(MemorySegment buf, int len, long now) {
        int s = match(buf, len);
        if (s < 0 || s >= sentAt.length || idle[s]) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        pending[s] = false; // a reply overtaken by its timeout still counts
        stats.add(ClientStats.REPLIES, 1);
        stats.recordRequest(now - sentAt[s]);
        onReply(s, buf, len, now);
    }

    @Override
    protected final int scan(long now) {
        int active = 0;
        for (int s = 0; s < sentAt.length; s++) {
            if (idle[s]) {
                continue;
            }
            active++;
            if (!pending[s] && now - sentAt[s] > timeoutNanos) {
                stats.add(ClientStats.TIMEOUTS, 1);
                pending[s] = true;
            }
        }
        return active;
    }
}
