package io.dint.occ;

import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.lock.LockTrace;
import io.dint.lock.TraceClient;
import io.dint.wire.OccMessage;
import io.dint.wire.Op;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * Runs FaSST-style OCC transactions from a {@link LockTrace} against one OCC server, keeping
 * {@code inflight} transactions outstanding at once: a trace entry's shared keys are the read
 * set, its exclusive keys the write set. Each attempt READs the read set (a key locked by another
 * transaction aborts at once), ACQUIREs the write set in ascending key order, validates by
 * reading the read set again (a changed version, or a lock held by another transaction, aborts),
 * then COMMITs the write set, which bumps each version and unlocks. An abort ABORTs the write-set
 * locks it holds, in reverse, and restarts with a new transaction id; RETRY and timeouts resend
 * the same request.
 *
 * <p>Keys that hash to one entry share its lock: a transaction holding it is granted again (one
 * grant per key, each released by its own COMMIT or ABORT) and reads it as its own in validation.
 *
 * <p>One request per transaction at a time; allocation-free per request (state in arrays by slot).
 */
public final class OccClient extends TraceClient {
    private static final int READ = 0, ACQUIRE = 1, VALIDATE = 2, COMMIT = 3, ABORT = 4;
    private static final int[] OPS = {Op.OCC_READ, Op.OCC_ACQUIRE, Op.OCC_READ, Op.OCC_COMMIT, Op.OCC_ABORT};

    private final int[] held;     // write-set keys below this trace index are locked
    private final int[] versions; // [slot * MAX_LOCKS + index]: version seen by READ

    public OccClient(Transport transport, ClientStats stats, LockTrace trace, int clientId,
                     int serverAddr, int serverPort, int inflight, int traceOffset,
                     long timeoutNanos, long txnLimit) {
        super(transport, stats, trace, clientId, serverAddr, serverPort, inflight, traceOffset, timeoutNanos, txnLimit, OccMessage.SIZE);
        this.held = new int[inflight];
        this.versions = new int[inflight * LockTrace.MAX_LOCKS];
    }

    @Override
    protected void beginAttempt(int s) {
        held[s] = 0;
        enter(s, READ, 0);
    }

    @Override
    protected void encode(MemorySegment b, int s, long seq) {
        OccMessage.encodeRequest(b, OPS[phase[s]], clientId, seq, trace.lockId(txn(s), step[s]), txnId(s));
    }

    @Override
    protected void onAnswer(int s, MemorySegment b, int status, long now) {
        int i = step[s];
        boolean lockedByOther = OccMessage.locked(b) && !OccMessage.mine(b);
        switch (phase[s]) {
            case READ -> {
                if (!expect(s, status, Status.OK)) {
                    return;
                }
                if (lockedByOther) {
                    abort(s);
                    return;
                }
                versions[s * LockTrace.MAX_LOCKS + i] = OccMessage.version(b);
                next(s, READ, i + 1, now);
            }
            case ACQUIRE -> {
                if (status == Status.REJECT) {
                    abort(s);
                } else if (expect(s, status, Status.GRANT)) {
                    held[s] = i + 1;
                    next(s, ACQUIRE, i + 1, now);
                }
            }
            case VALIDATE -> {
                if (!expect(s, status, Status.OK)) {
                    return;
                }
                if (lockedByOther || OccMessage.version(b) != versions[s * LockTrace.MAX_LOCKS + i]) {
                    abort(s);
                } else {
                    next(s, VALIDATE, i + 1, now);
                }
            }
            case COMMIT -> {
                if (expect(s, status, Status.OK)) {
                    next(s, COMMIT, i + 1, now);
                }
            }
            default -> {
                if (expect(s, status, Status.OK)) {
                    releaseFrom(s, i - 1);
                }
            }
        }
    }

    /** Counts and resends a reply of a status the phase does not expect; true when it is expected. */
    private boolean expect(int s, int status, int expected) {
        if (status == expected) {
            return true;
        }
        stats.add(ClientStats.PROTOCOL_ERRORS, 1);
        resend(s);
        return false;
    }

    /** {@link #enter}, committing the transaction when nothing is left to send. */
    private void next(int s, int ph, int from, long now) {
        if (!enter(s, ph, from)) {
            commit(s, now);
        }
    }

    /**
     * Sends the request of the first key of {@code phase}'s set at or after trace index
     * {@code from}, moving on to the following phases while a set is exhausted. Returns false,
     * sending nothing, when the commit phase is exhausted: the transaction is done.
     */
    private boolean enter(int s, int ph, int from) {
        int t = txn(s);
        int n = trace.size(t);
        for (;;) {
            boolean writes = ph == ACQUIRE || ph == COMMIT;
            int i = from;
            while (i < n && trace.exclusive(t, i) != writes) {
                i++;
            }
            if (i < n) {
                phase[s] = ph;
                step[s] = i;
                send(s);
                return true;
            }
            if (ph == COMMIT) {
                return false;
            }
            ph++;
            from = 0;
        }
    }

    private void abort(int s) {
        stats.add(ClientStats.ABORTED, 1);
        releaseFrom(s, held[s] - 1);
    }

    /** ABORTs the highest held write-set key at or below trace index {@code from}; restarts when none is left. */
    private void releaseFrom(int s, int from) {
        int t = txn(s);
        int i = from;
        while (i >= 0 && !trace.exclusive(t, i)) {
            i--;
        }
        if (i < 0) {
            restart(s);
            return;
        }
        phase[s] = ABORT;
        step[s] = i;
        send(s);
    }
}
