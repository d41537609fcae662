package io.dint.lock;

import io.dint.client.ClientStats;
import io.dint.client.InflightLoop;
import io.dint.client.Transport;
import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.Header;
import io.dint.wire.LockMessage;
import java.lang.foreign.MemorySegment;

/**
 * Runs 2PL lock transactions from a {@link LockTrace} against one lock server, keeping
 * {@code inflight} transactions outstanding at once over one {@link Transport}. Each transaction
 * acquires its locks one by one in ascending id order and releases them in reverse; on REJECT it
 * releases what it holds and restarts (no-wait); RETRY and timeouts resend the same request.
 * Allocation-free per request: all state is in arrays indexed by in-flight slot.
 */
public final class LockClient extends InflightLoop {
    private static final int ACQUIRE = 0, RELEASE_COMMITTED = 1, RELEASE_ABORTED = 2;

    private final LockTrace trace;
    private final int clientId;
    private final long txnLimit;

    private final int[] txn;        // trace index of the slot's transaction
    private final int[] phase;
    private final int[] step;       // lock index being acquired or released
    private final long[] txnId;
    private final long[] seq;       // seq of the outstanding request
    private final long[] txnStart;
    private final long[] attemptRequests;

    private int nextTxn;
    private long txnCounter;
    private long seqCounter;
    private long started;

    public LockClient(Transport transport, ClientStats stats, LockTrace trace, int clientId,
                      int serverAddr, int serverPort, int inflight, int traceOffset,
                      long timeoutNanos, long txnLimit) {
        super(transport, stats, serverAddr, serverPort, inflight, timeoutNanos);
        this.trace = trace;
        this.clientId = clientId;
        this.txnLimit = txnLimit;
        this.txn = new int[inflight];
        this.phase = new int[inflight];
        this.step = new int[inflight];
        this.txnId = new long[inflight];
        this.seq = new long[inflight];
        this.txnStart = new long[inflight];
        this.attemptRequests = new long[inflight];
        this.nextTxn = Math.floorMod(traceOffset, trace.transactions());
    }

    @Override
    protected void begin(int s, long now) {
        startTxn(s, now);
    }

    private void startTxn(int s, long now) {
        if (stopping() || (txnLimit > 0 && started >= txnLimit)) {
            retire(s);
            return;
        }
        started++;
        txn[s] = nextTxn;
        nextTxn = nextTxn + 1 == trace.transactions() ? 0 : nextTxn + 1;
        txnStart[s] = now;
        beginAttempt(s);
    }

    private void beginAttempt(int s) {
        txnId[s] = ((long) clientId << 40) | (++txnCounter & ((1L << 40) - 1));
        phase[s] = ACQUIRE;
        step[s] = 0;
        attemptRequests[s] = 0;
        next(s);
    }

    private void next(int s) {
        seq[s] = (++seqCounter << 16) | s;
        send(s);
    }

    @Override
    protected int encode(int s, MemorySegment b) {
        attemptRequests[s]++;
        int t = txn[s];
        int i = step[s];
        boolean exclusive = trace.exclusive(t, i);
        int op = phase[s] == ACQUIRE
                ? (exclusive ? Op.LOCK_ACQUIRE_EXCLUSIVE : Op.LOCK_ACQUIRE_SHARED)
                : (exclusive ? Op.LOCK_RELEASE_EXCLUSIVE : Op.LOCK_RELEASE_SHARED);
        return LockMessage.encodeRequest(b, op, clientId, seq[s], trace.lockId(t, i), txnId[s]);
    }

    @Override
    protected int match(MemorySegment b, int len) {
        return slotBySeq(b, len, LockMessage.SIZE, clientId, seq);
    }

    @Override
    protected void onReply(int s, MemorySegment b, int len, long now) {
        int status = Header.status(b);
        int t = txn[s];
        switch (phase[s]) {
            case ACQUIRE -> {
                if (status == Status.GRANT) {
                    if (++step[s] == trace.size(t)) {
                        phase[s] = RELEASE_COMMITTED;
                        step[s] = trace.size(t) - 1;
                    }
                    next(s);
                } else if (status == Status.REJECT) {
                    stats.add(ClientStats.ABORTED, 1);
                    phase[s] = RELEASE_ABORTED;
                    if (--step[s] < 0) {
                        beginAttempt(s);
                    } else {
                        next(s);
                    }
                } else if (status == Status.RETRY) {
                    stats.add(ClientStats.RETRIES, 1);
                    send(s);
                } else {
                    stats.add(ClientStats.PROTOCOL_ERRORS, 1);
                    send(s);
                }
            }
            default -> {
                if (status == Status.RETRY) {
                    stats.add(ClientStats.RETRIES, 1);
                    send(s);
                    return;
                }
                if (status != Status.OK) {
                    stats.add(ClientStats.PROTOCOL_ERRORS, 1);
                }
                if (--step[s] >= 0) {
                    next(s);
                } else if (phase[s] == RELEASE_ABORTED) {
                    beginAttempt(s);
                } else {
                    stats.add(ClientStats.COMMITTED, 1);
                    stats.add(ClientStats.GOOD_REQUESTS, attemptRequests[s]);
                    stats.recordTxn(now - txnStart[s]);
                    startTxn(s, now);
                }
            }
        }
    }
}
