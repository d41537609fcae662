package io.dint.lock;

import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
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
public final class LockClient implements LoadLoop {
    private static final int ACQUIRE = 0, RELEASE_COMMITTED = 1, RELEASE_ABORTED = 2;

    private final Transport transport;
    private final ClientStats stats;
    private final LockTrace trace;
    private final int clientId;
    private final int serverAddr;
    private final int serverPort;
    private final long timeoutNanos;
    private final long txnLimit;

    private final int[] txn;        // trace index of the slot's transaction
    private final int[] phase;
    private final int[] step;       // lock index being acquired or released
    private final long[] txnId;
    private final long[] seq;       // seq of the outstanding request
    private final long[] sentAt;
    private final long[] txnStart;
    private final long[] attemptRequests;
    private final boolean[] pending;// needs (re)sending
    private final boolean[] idle;   // no transaction: stopping

    private int nextTxn;
    private long txnCounter;
    private long seqCounter;
    private long started;
    private volatile boolean stopping;

    public LockClient(Transport transport, ClientStats stats, LockTrace trace, int clientId,
                      int serverAddr, int serverPort, int inflight, int traceOffset,
                      long timeoutNanos, long txnLimit) {
        if (inflight <= 0 || inflight > 65_536) {
            throw new IllegalArgumentException("in-flight transactions must be in 1..65536, got " + inflight);
        }
        this.transport = transport;
        this.stats = stats;
        this.trace = trace;
        this.clientId = clientId;
        this.serverAddr = serverAddr;
        this.serverPort = serverPort;
        this.timeoutNanos = timeoutNanos;
        this.txnLimit = txnLimit;
        this.txn = new int[inflight];
        this.phase = new int[inflight];
        this.step = new int[inflight];
        this.txnId = new long[inflight];
        this.seq = new long[inflight];
        this.sentAt = new long[inflight];
        this.txnStart = new long[inflight];
        this.attemptRequests = new long[inflight];
        this.pending = new boolean[inflight];
        this.idle = new boolean[inflight];
        this.nextTxn = Math.floorMod(traceOffset, trace.transactions());
    }

    /** Asks the loop to finish the transactions in flight and return. */
    @Override
    public void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        for (int s = 0; s < txn.length; s++) {
            startTxn(s, now);
        }
        int active = txn.length;
        while (active > 0) {
            now = System.nanoTime();
            sendPending(now);
            int n = transport.poll(1);
            now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                onReply(transport.rxBuffer(i), transport.rxLength(i), now);
            }
            active = 0;
            for (int s = 0; s < txn.length; s++) {
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

    private void startTxn(int s, long now) {
        if (stopping || (txnLimit > 0 && started >= txnLimit)) {
            idle[s] = true;
            pending[s] = false;
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
        pending[s] = true;
    }

    private void sendPending(long now) {
        int cap = transport.capacity();
        int n = 0;
        for (int s = 0; s < txn.length; s++) {
            if (!pending[s]) {
                continue;
            }
            if (n == cap) {
                n = flush(n);
            }
            encode(transport.txBuffer(n), s);
            transport.setTx(n, LockMessage.SIZE, serverAddr, serverPort);
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

    private void encode(MemorySegment b, int s) {
        int t = txn[s];
        int i = step[s];
        boolean exclusive = trace.exclusive(t, i);
        int op = phase[s] == ACQUIRE
                ? (exclusive ? Op.LOCK_ACQUIRE_EXCLUSIVE : Op.LOCK_ACQUIRE_SHARED)
                : (exclusive ? Op.LOCK_RELEASE_EXCLUSIVE : Op.LOCK_RELEASE_SHARED);
        LockMessage.encodeRequest(b, op, clientId, seq[s], trace.lockId(t, i), txnId[s]);
    }

    private void onReply(MemorySegment b, int len, long now) {
        if (len != LockMessage.SIZE || Header.clientId(b) != clientId) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        long q = Header.seq(b);
        int s = (int) (q & 0xffff);
        if (s >= txn.length || idle[s] || seq[s] != q) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        pending[s] = false; // a reply overtaken by its timeout still counts
        stats.add(ClientStats.REPLIES, 1);
        stats.recordRequest(now - sentAt[s]);
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
                    pending[s] = true;
                } else {
                    stats.add(ClientStats.PROTOCOL_ERRORS, 1);
                    pending[s] = true;
                }
            }
            default -> {
                if (status == Status.RETRY) {
                    stats.add(ClientStats.RETRIES, 1);
                    pending[s] = true;
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
