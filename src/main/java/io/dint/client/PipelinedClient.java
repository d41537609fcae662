package io.dint.client;

import io.dint.wire.Header;
import io.dint.wire.RequestIds;
import java.lang.foreign.MemorySegment;

/**
 * An {@link InflightLoop} that runs transactions of DINT requests: each slot runs one
 * transaction at a time, one request of it outstanding, matched to its reply by
 * {@code (client_id, seq)}; a request unanswered within the timeout is resent with the same seq.
 * A subclass is the protocol: it encodes a slot's current request and reacts to its reply by
 * sending the next one ({@link #send}), resending ({@link #resend}), restarting the transaction
 * ({@link #restart}) or committing it ({@link #commit}).
 *
 * <p>Allocation-free per request: all state lives in arrays indexed by in-flight slot, and the
 * slot is carried in the low 16 bits of each seq. The high 32 bits are the client's incarnation
 * ({@link RequestIds}), drawn when it starts and again each time the 16-bit request counter
 * between them wraps, so no two requests of a client id ever carry the same seq — not even
 * those of two clients that reused the id one after the other.
 */
public abstract class PipelinedClient extends InflightLoop {
    protected final int clientId;
    private final int messageSize;
    private final long txnLimit;

    private final long[] txnId;
    private final long[] seq;       // seq of the outstanding request
    private final long[] txnStart;
    private final long[] attemptRequests;

    private long txnCounter;
    private int seqCounter;
    private int incarnation = RequestIds.newIncarnation(0);
    private long started;

    /**
     * @param messageSize length of every request and of every reply accepted
     * @param txnLimit transactions to run before the loop ends by itself; 0: until {@link #stop()}
     */
    protected PipelinedClient(Transport transport, ClientStats stats, int clientId, int serverAddr, int serverPort,
                              int inflight, long timeoutNanos, long txnLimit, int messageSize) {
        super(transport, stats, serverAddr, serverPort, inflight, timeoutNanos);
        this.clientId = clientId;
        this.messageSize = messageSize;
        this.txnLimit = txnLimit;
        this.txnId = new long[inflight];
        this.seq = new long[inflight];
        this.txnStart = new long[inflight];
        this.attemptRequests = new long[inflight];
    }

    /** Picks the slot's next transaction; called once per transaction, before its first attempt. */
    protected abstract void nextTransaction(int slot);

    /** Starts an attempt of the slot's transaction (a fresh {@link #txnId}): sets it up and {@link #send}s. */
    protected abstract void beginAttempt(int slot);

    /** Writes the slot's current request, {@link #messageSize} bytes with this seq, into {@code b}. */
    protected abstract void encode(MemorySegment b, int slot, long seq);

    /** Reacts to the reply (of this status) to the slot's current request; must send, resend, restart or commit. */
    protected abstract void onStatus(int slot, MemorySegment b, int status, long now);

    /** The transaction id of the slot's current attempt: client id in the top 24 bits, never 0. */
    protected final long txnId(int slot) {
        return txnId[slot];
    }

    /** Sends the slot's next request (a new seq). */
    protected final void send(int slot) {
        seqCounter = (seqCounter + 1) & 0xffff;
        if (seqCounter == 0) {
            incarnation = RequestIds.newIncarnation(incarnation); // counted through: fresh ids
        }
        seq[slot] = RequestIds.seq(incarnation, seqCounter << 16 | slot);
        queue(slot);
    }

    /** Sends the slot's current request again, same seq (after RETRY). */
    protected final void resend(int slot) {
        queue(slot);
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
        begin(slot, now);
    }

    @Override
    protected final void begin(int s, long now) {
        if (stopping() || (txnLimit > 0 && started >= txnLimit)) {
            retire(s);
            return;
        }
        started++;
        nextTransaction(s);
        txnStart[s] = now;
        restart(s);
    }

    @Override
    protected final int encode(int s, MemorySegment buf) {
        encode(buf, s, seq[s]);
        attemptRequests[s]++;
        return messageSize;
    }

    @Override
    protected final int match(MemorySegment buf, int len) {
        return slotBySeq(buf, len, messageSize, clientId, seq);
    }

    @Override
    protected final void onReply(int s, MemorySegment buf, int len, long now) {
        onStatus(s, buf, Header.status(buf), now);
    }
}
