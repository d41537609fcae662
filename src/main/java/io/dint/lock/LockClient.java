package io.dint.lock;

import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.wire.LockMessage;
import io.dint.wire.Op;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * Runs 2PL lock transactions from a {@link LockTrace} against one lock server, keeping
 * {@code inflight} transactions outstanding at once over one {@link Transport}. Each transaction
 * acquires its locks one by one in ascending id order and releases them in reverse; on REJECT it
 * releases what it holds and restarts (no-wait); RETRY and timeouts resend the same request.
 * Allocation-free per request: all state is in arrays indexed by in-flight slot.
 */
public final class LockClient extends TraceClient {
    private static final int ACQUIRE = 0, RELEASE_COMMITTED = 1, RELEASE_ABORTED = 2;

    public LockClient(Transport transport, ClientStats stats, LockTrace trace, int clientId,
                      int serverAddr, int serverPort, int inflight, int traceOffset,
                      long timeoutNanos, long txnLimit) {
        super(transport, stats, trace, clientId, serverAddr, serverPort, inflight, traceOffset, timeoutNanos, txnLimit, LockMessage.SIZE);
    }

    @Override
    protected void beginAttempt(int s) {
        phase[s] = ACQUIRE;
        step[s] = 0;
        send(s);
    }

    @Override
    protected void encode(MemorySegment b, int s, long seq) {
        int t = txn(s);
        int i = step[s];
        boolean exclusive = trace.exclusive(t, i);
        int op = phase[s] == ACQUIRE
                ? (exclusive ? Op.LOCK_ACQUIRE_EXCLUSIVE : Op.LOCK_ACQUIRE_SHARED)
                : (exclusive ? Op.LOCK_RELEASE_EXCLUSIVE : Op.LOCK_RELEASE_SHARED);
        LockMessage.encodeRequest(b, op, clientId, seq, trace.lockId(t, i), txnId(s));
    }

    @Override
    protected void onAnswer(int s, MemorySegment b, int status, long now) {
        int t = txn(s);
        if (phase[s] == ACQUIRE) {
            if (status == Status.GRANT) {
                if (++step[s] == trace.size(t)) {
                    phase[s] = RELEASE_COMMITTED;
                    step[s] = trace.size(t) - 1;
                }
                send(s);
            } else if (status == Status.REJECT) {
                stats.add(ClientStats.ABORTED, 1);
                phase[s] = RELEASE_ABORTED;
                if (--step[s] < 0) {
                    restart(s);
                } else {
                    send(s);
                }
            } else {
                stats.add(ClientStats.PROTOCOL_ERRORS, 1);
                resend(s);
            }
            return;
        }
        if (status != Status.OK) {
            stats.add(ClientStats.PROTOCOL_ERRORS, 1);
        }
        if (--step[s] >= 0) {
            send(s);
        } else if (phase[s] == RELEASE_ABORTED) {
            restart(s);
        } else {
            commit(s, now);
        }
    }
}
