package io.dint.txn;

import io.dint.wire.Op;
import java.lang.foreign.Arena;

/**
 * One in-flight transaction of a coordinator: its logic and context, where its current attempt
 * stands (phase, round, what its replies said so far) and the epochs it saw at each shard. Made
 * once per slot and reused from transaction to transaction; its requests are in the
 * {@link RequestTable} under the same slot number.
 *
 * <p>Epochs (README, "Recovery"): every reply carries its shard's epoch, which changes when the
 * shard restarts or takes over a lock whose lease ran out. A shard that left the epoch of the
 * attempt's grants may have dropped its locks: before LOG the attempt aborts, and its LOG there
 * carries that epoch and is refused (STALE). After LOG, a shard seen in another epoch than the one
 * that acknowledged the LOG may have lost the records with its rings: RELOG sends them again.
 */
final class TxnSlot {
    /** How a transaction's RELEASE phase ends it. */
    enum Outcome {
        /** Every replica logged it: it committed. */
        COMMIT,
        /** Its logic rolled it back. */
        ROLLBACK,
        /** The attempt aborted: the transaction starts again after a backoff. */
        RESTART,
        /** Its LOG was given up: neither committed nor aborted. */
        UNKNOWN
    }

    final int index;
    final TxnContext ctx;
    TxnLogic logic;
    Phase phase = Phase.EXECUTE;
    Outcome outcome = Outcome.COMMIT;
    /** Nothing more to do: the source had no transaction for it. */
    boolean idle;

    long txnId;
    long txnStart;
    int round;
    int attempts;         // of the current transaction
    long attemptRequests; // datagrams the current attempt sent
    long restartAt;       // > 0: an aborted attempt waits until then (backoff)
    long lockStart;       // when this attempt asked for its first lock, 0 before

    boolean conflict;         // a lock was rejected
    boolean validationFailed; // a read changed or was locked
    boolean epochLost;        // a shard left the epoch of this attempt's grants before LOG
    boolean stale;            // a LOG was answered STALE

    // per shard
    final int[] grantEpoch = new int[TxnEngine.REPLICAS]; // the shard's epoch at this attempt's lock grants there, 0 when none
    final int[] logEpoch = new int[TxnEngine.REPLICAS];   // the shard's epoch when it acknowledged this transaction's LOG
    final boolean[] relog = new boolean[TxnEngine.REPLICAS]; // the shard left that epoch: log the records there again

    TxnSlot(int index, Arena arena) {
        this.index = index;
        this.ctx = new TxnContext(arena);
    }

    /** Starts an attempt of the slot's transaction under {@code id}: nothing read, locked or logged. */
    void beginAttempt(long id) {
        txnId = id;
        attemptRequests = 0;
        ctx.reset();
        round = 0;
        conflict = false;
        validationFailed = false;
        epochLost = false;
        stale = false;
        lockStart = 0;
        for (int server = 0; server < TxnEngine.REPLICAS; server++) {
            grantEpoch[server] = 0;
            logEpoch[server] = 0;
            relog[server] = false;
        }
    }

    /** A lock granted at {@code server} in {@code epoch}: the attempt's grants there are of the first such epoch. */
    void granted(int server, int epoch) {
        if (grantEpoch[server] == 0) {
            grantEpoch[server] = epoch;
        }
    }

    /** The transaction's LOG acknowledged by {@code server} in {@code epoch} (the first acknowledgement's epoch counts). */
    void logged(int server, int epoch) {
        if (logEpoch[server] == 0) {
            logEpoch[server] = epoch;
        }
    }

    /** True when a reply of {@code server} in {@code epoch} says the shard left the epoch of this attempt's grants there. */
    boolean leftGrantEpoch(int server, int epoch) {
        return grantEpoch[server] != 0 && epoch != grantEpoch[server];
    }

    /** Marks {@code server} for a RELOG when a reply in {@code epoch} says it left the epoch it logged this transaction in. */
    void checkLogEpoch(int server, int epoch) {
        relog[server] |= logEpoch[server] != 0 && epoch != logEpoch[server];
    }

    /**
     * Before the attempt releases after a give-up in EXECUTE: an exclusive lock never answered may
     * have been granted, so it is released too (NOT_HELD is then fine; the holder is recorded, so
     * nobody else's is taken). A shared grant is only a count: releasing one the attempt may not
     * hold could take another's, so it is left to the lease.
     */
    void releaseUnansweredExclusiveLocks(RequestTable table) {
        for (int q = RequestTable.first(index), end = q + table.requests(index); q < end; q++) {
            int op = table.op(q);
            if (!table.isAnswered(q) && (op == Op.TXN_LOCK_EXCLUSIVE || op == Op.TXN_OCC_LOCK)) {
                ctx.held[table.index(q)] = true;
                ctx.mayNotHold[table.index(q)] = true;
            }
        }
    }

    boolean relogNeeded() {
        for (boolean r : relog) {
            if (r) {
                return true;
            }
        }
        return false;
    }
}
