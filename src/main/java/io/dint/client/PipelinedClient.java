package io.dint.client;

import io.dint.wire.Header;
import java.lang.foreign.MemorySegment;

/**
 * What every load-generating client shares: {@code inflight} transactions outstanding at once over
 * one {@link Transport}, each with exactly one request outstanding, matched to its reply by
 * {@code (client_id, seq)}; a request unanswered within the timeout is resent with the same seq.
 * A subclass is the protocol: it encodes a slot's current request and reacts to its reply by
 * sending the next one ({@link #send}), resending ({@link #resend}), restarting the transaction
 * ({@link #restart}) or committing it ({@link #commit}).
 *
 * <p>Allocation-free per request: all state lives in arrays indexed by in-flight slot, and the
 * slot is carried in the low 16 bits of each seq.
 */
public abstract class PipelinedClient implements LoadLoop {
    protected final ClientStats stats;
    protected final int clientId;
    private final Transport transport;
    private final int serverAddr;
    private final int serverPort;
    private final int messageSize;
    private final long timeoutNanos;
    private final long txnLimit;

    private final long[] txnId;
    private final long[] seq;       // seq of the outstanding request
    private final long[] sentAt;
    private final long[] txnStart;
    private final long[] attemptRequests;
    private final boolean[] pending;// needs (re)sending
    private final boolean[] idle;   // no transaction: stopping

    private long txnCounter;
    private long seqCounter;
    private long started;
    private volatile boolean stopping;

    /**
     * @param messageSize length of every request and of every reply accepted
     * @param txnLimit transactions to run before the loop ends by itself; 0: until {@link #stop()}
     */
    protected PipelinedClient(Transport transport, ClientStats stats, int clientId, int serverAddr, int serverPort,
                              int inflight, long timeoutNanos, long txnLimit, int messageSize) {
        if (inflight <= 0 || inflight > 65_536) {
            throw new IllegalArgumentException("in-flight transactions must be in 1..65536, got " + inflight);
        }
        this.transport = transport;
        this.stats = stats;
        this.clientId = clientId;
        this.serverAddr = serverAddr;
        this.serverPort = serverPort;
        this.messageSize = messageSize;
        this.timeoutNanos = timeoutNanos;
        this.txnLimit = txnLimit;
        this.txnId = new long[inflight];
        this.seq = new long[inflight];
        this.sentAt = new long[inflight];
        this.txnStart = new long[inflight];
        this.attemptRequests = new long[inflight];
        this.pending = new boolean[inflight];
        this.idle = new boolean[inflight];
    }

    /** Picks the slot's next transaction; called once per transaction, before its first attempt. */
    protected abstract void nextTransaction(int slot);

    /** Starts an attempt of the slot's transaction (a fresh {@link #txnId}): sets it up and {@link #send}s. */
    protected abstract void beginAttempt(int slot);

    /** Writes the slot's current request, {@link #messageSize} bytes with this seq, into {@code b}. */
    protected abstract void encode(MemorySegment b, int slot, long seq);

    /** Reacts to the reply to the slot's current request; must send, resend, restart or commit. */
    protected abstract void onReply(int slot, MemorySegment b, int status, long now);

    /** Asks the loop to finish the transactions in flight and return. */
    @Override
    public final void stop() {
        stopping = true;
    }

    @Override
    public final void run() {
        long now = System.nanoTime();
        for (int s = 0; s < seq.length; s++) {
            startTxn(s, now);
        }
        int active = seq.length;
        while (active > 0) {
            now = System.nanoTime();
            sendPending(now);
            int n = transport.poll(1);
            now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                receive(transport.rxBuffer(i), transport.rxLength(i), now);
            }
            active = 0;
            for (int s = 0; s < seq.length; s++) {
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

    /** The transaction id of the slot's current attempt: client id in the top 24 bits, never 0. */
    protected final long txnId(int slot) {
        return txnId[slot];
    }

    /** Number of in-flight slots. */
    protected final int slots() {
        return seq.length;
    }

    /** Sends the slot's next request (a new seq). */
    protected final void send(int slot) {
        seq[slot] = (++seqCounter << 16) | slot;
        pending[slot] = true;
    }

    /** Sends the slot's current request again, same seq (after RETRY). */
    protected final void resend(int slot) {
        pending[slot] = true;
    }

    /** Starts the slot's transaction over with a new transaction id (after an abort). */
    protected final void restart(int slot) {
        txnId[slot] = ((long) clientId << 40) | (++txnCounter & ((1L << 40) - 1));
        attemptRequests[slot] = 0;
        beginAttempt(slot);
    }

    /** Counts the slot's transaction committed and starts the next one. */
    protected final void commit(int slot, long now) {
        stats.add(ClientStats.COMMITTED, 1);
        stats.add(ClientStats.GOOD_REQUESTS, attemptRequests[slot]);
        stats.recordTxn(now - txnStart[slot]);
        startTxn(slot, now);
    }

    private void startTxn(int s, long now) {
        if (stopping || (txnLimit > 0 && started >= txnLimit)) {
            idle[s] = true;
            pending[s] = false;
            return;
        }
        started++;
        nextTransaction(s);
        txnStart[s] = now;
        restart(s);
    }

    private void sendPending(long now) {
        int cap = transport.capacity();
        int n = 0;
        for (int s = 0; s < seq.length; s++) {
            if (!pending[s]) {
                continue;
            }
            if (n == cap) {
                n = flush(n);
            }
            encode(transport.txBuffer(n), s, seq[s]);
            transport.setTx(n, messageSize, serverAddr, serverPort);
            pending[s] = false;
            sentAt[s] = now;
            attemptRequests[s]++;
            n++;
        }
        flush(n);
    }

    private int flush(int n) {
        if (n > 0) {
            int sent = transport.flush(n);
            stats.add(ClientStats.REQUESTS, sent);
            // what did not go out is found by the timeout scan and resent
        }
        return 0;
    }

    private void receive(MemorySegment b, int len, long now) {
        if (len != messageSize || Header.clientId(b) != clientId) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        long q = Header.seq(b);
        int s = (int) (q & 0xffff);
        if (s >= seq.length || idle[s] || seq[s] != q) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        pending[s] = false; // a reply overtaken by its timeout still counts
        stats.add(ClientStats.REPLIES, 1);
        stats.recordRequest(now - sentAt[s]);
        onReply(s, b, Header.status(b), now);
    }
}
