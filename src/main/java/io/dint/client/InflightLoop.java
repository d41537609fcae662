package io.dint.client;

import io.dint.wire.Header;
import java.lang.foreign.MemorySegment;

/**
 * The loop of every load generator: {@code inflight} slots, each with at most one request
 * outstanding, over one {@link Transport} to one server. Requests waiting to be (re)sent go out
 * in batches; each reply is matched to its slot, counted and its latency recorded; a request
 * without a reply within the timeout is sent again. Subclasses say what a slot sends next and
 * what a reply means. Allocation-free: slot state lives in arrays.
 */
public abstract class InflightLoop implements LoadLoop {
    protected final Transport transport;
    protected final ClientStats stats;
    private final int serverAddr;
    private final int serverPort;
    private final long timeoutNanos;
    private final long[] sentAt;
    private final boolean[] pending; // needs (re)sending
    private final boolean[] idle;    // nothing more to do: stopping
    private volatile boolean stopping;

    protected InflightLoop(Transport transport, ClientStats stats, int serverAddr, int serverPort, int inflight,
                           long timeoutNanos) {
        if (inflight <= 0 || inflight > 65_536) {
            throw new IllegalArgumentException("in-flight requests must be in 1..65536, got " + inflight);
        }
        this.transport = transport;
        this.stats = stats;
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

    /** Asks the loop to finish what is in flight and return. */
    @Override
    public final void stop() {
        stopping = true;
    }

    /** True once {@link #stop} was called: {@link #begin} should retire its slot. */
    protected final boolean stopping() {
        return stopping;
    }

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
    public final void run() {
        long now = System.nanoTime();
        for (int s = 0; s < sentAt.length; s++) {
            begin(s, now);
        }
        int active = sentAt.length;
        while (active > 0) {
            now = System.nanoTime();
            sendPending(now);
            int n = transport.poll(1);
            now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                receive(transport.rxBuffer(i), transport.rxLength(i), now);
            }
            active = 0;
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
        }
    }

    private void sendPending(long now) {
        int cap = transport.capacity();
        int n = 0;
        for (int s = 0; s < sentAt.length; s++) {
            if (!pending[s]) {
                continue;
            }
            if (n == cap) {
                n = flush(n);
            }
            int len = encode(s, transport.txBuffer(n));
            transport.setTx(n, len, serverAddr, serverPort);
            pending[s] = false;
            sentAt[s] = now;
            n++;
        }
        flush(n);
    }

    private int flush(int n) {
        if (n > 0) {
            // what does not go out is found by the timeout scan and resent
            stats.add(ClientStats.REQUESTS, transport.flush(n));
        }
        return 0;
    }

    private void receive(MemorySegment buf, int len, long now) {
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
}
