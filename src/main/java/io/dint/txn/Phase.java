package io.dint.txn;

import io.dint.client.ClientStats;
import io.dint.txn.TxnSlot.Outcome;
import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;

/**
 * The phases of a transaction (README, "Commit protocol"): for each, what it sends — one request
 * per record, or per record and replica, all at once — which replies the protocol allows, what
 * comes next once every request is answered, and what giving it up means. The protocol's own
 * choices (which op a read is, whether reads are validated, whether the primary's install
 * unlocks) are {@link TxnEngine.Protocol}'s.
 *
 * <p>Before LOG nothing is written, and an attempt that cannot go on aborts: it releases what it
 * holds and its transaction restarts. A transaction is committed once every replica acknowledged
 * every LOG record; from then on BACKUP, PRIMARY and RELEASE are resent until answered and never
 * given up. Any reply a phase does not allow is a bug (or servers of another cluster): it stops
 * the coordinator with a {@link TxnEngine.ProtocolViolation} naming the request and the reply.
 *
 * <p>Epochs (README, "Recovery"): every reply carries its shard's epoch. A shard that left the
 * epoch of the attempt's grants may have dropped its locks: before LOG the attempt aborts, and
 * its LOG there carries that epoch and is refused (STALE). After LOG, a shard seen in another
 * epoch than the one that acknowledged the LOG may have lost the records: RELOG sends them again.
 */
enum Phase {
    /** Reads and locks of one round at each key's primary, as the logic asked. */
    EXECUTE(false, true) {
        @Override
        void start(TxnSlots c, TxnSlot t) {
            TxnContext x = t.ctx;
            if (x.roundStart == x.accesses) {
                throw new IllegalStateException(t.logic + " asked for another round without adding an access");
            }
            c.enter(t, this);
            for (int a = x.roundStart; a < x.accesses; a++) {
                int op = c.protocol.accessOp(x.mode[a], c.concurrencyControl);
                c.request(t, op, TxnEngine.primary(x.key[a]), a);
                if (op != Op.TXN_READ && t.lockStart == 0) {
                    t.lockStart = System.nanoTime();
                }
            }
        }

        @Override
        void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
            int i = c.table.index(q);
            int server = c.table.server(q);
            boolean left = t.leftGrantEpoch(server, epoch);
            boolean read = c.table.op(q) == Op.TXN_READ;
            if (status == (read ? Status.OK : Status.GRANT)) {
                t.ctx.storeReply(i, b);
                t.ctx.held[i] = !read;
                if (!read && t.grantEpoch[server] == 0) {
                    t.grantEpoch[server] = epoch;
                }
            } else if (status == Status.REJECT && !read) {
                t.conflict = true;
            } else {
                throw c.violation(t, q, b, read ? "OK" : "GRANT or REJECT");
            }
            t.epochLost |= left;
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            if (t.conflict || t.epochLost) {
                c.stats.add(ClientStats.ABORTED, 1);
                release(c, t, Outcome.RESTART);
            } else {
                c.decide(t);
            }
        }

        @Override
        void giveUp(TxnSlots c, TxnSlot t, long now) {
            for (int q = RequestTable.first(t.index), end = q + c.table.requests(t.index); q < end; q++) {
                // An exclusive lock never answered may have been granted: release it too (NOT_HELD
                // is then fine; the holder is recorded, so nobody else's is taken). A shared grant
                // is only a count: releasing one we may not hold could take another transaction's,
                // so it is left to the lease.
                int op = c.table.op(q);
                if (!c.table.isAnswered(q) && (op == Op.TXN_LOCK_EXCLUSIVE || op == Op.TXN_OCC_LOCK)) {
                    t.ctx.held[c.table.index(q)] = true;
                    t.ctx.mayNotHold[c.table.index(q)] = true;
                }
            }
            abandon(c, t);
        }
    },

    /** OCC: the versions of the records read without a lock, again; changed or locked means abort. */
    VALIDATE(false, true) {
        @Override
        void start(TxnSlots c, TxnSlot t) {
            TxnContext x = t.ctx;
            int unlocked = 0;
            for (int a = 0; a < x.accesses; a++) {
                unlocked += x.mode[a] == TxnContext.READ ? 1 : 0;
            }
            // a single unlocked read serializes at the moment it was served: nothing to validate
            if (!c.protocol.validatesReads || !c.concurrencyControl || unlocked == 0 || (x.writes == 0 && unlocked == 1)) {
                LOG.start(c, t);
                return;
            }
            c.enter(t, this);
            for (int a = 0; a < x.accesses; a++) {
                if (x.mode[a] == TxnContext.READ) {
                    c.request(t, Op.TXN_VALIDATE, TxnEngine.primary(x.key[a]), a);
                }
            }
        }

        @Override
        void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
            t.epochLost |= t.leftGrantEpoch(c.table.server(q), epoch);
            if (status != Status.OK) {
                throw c.violation(t, q, b, "OK");
            }
            int i = c.table.index(q);
            if (TxnMessage.version(b) != t.ctx.version[i] || (TxnMessage.flags(b) & Wire.TXN_F_LOCKED) != 0) {
                t.validationFailed = true;
            }
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            if (t.epochLost) {
                c.stats.add(ClientStats.ABORTED, 1);
                release(c, t, Outcome.RESTART);
            } else if (t.validationFailed) {
                c.stats.add(ClientStats.ABORTED, 1);
                c.stats.add(ClientStats.ABORTED_VALIDATION, 1);
                release(c, t, Outcome.RESTART);
            } else {
                LOG.start(c, t);
            }
        }

        @Override
        void giveUp(TxnSlots c, TxnSlot t, long now) {
            abandon(c, t);
        }
    },

    /** Every write to the commit log of all three replicas: once all acknowledged, committed. */
    LOG(true, true, Op.TXN_INSERT_LOG, Op.TXN_DELETE_LOG, Op.TXN_COMMIT_LOG) {
        @Override
        void start(TxnSlots c, TxnSlot t) {
            if (c.leaseSpent(t)) {
                c.stats.add(ClientStats.ABORTED, 1);
                release(c, t, Outcome.RESTART);
                return;
            }
            if (t.ctx.writes == 0) {
                release(c, t, Outcome.COMMIT);
                return;
            }
            c.enter(t, this);
            logTo(c, t, false);
        }

        @Override
        void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
            int server = c.table.server(q);
            if (status == Status.STALE) {
                t.stale = true; // not logged there: the transaction cannot commit
            } else if (status != Status.OK) {
                throw c.violation(t, q, b, "OK or STALE");
            } else if (t.logEpoch[server] == 0) {
                t.logEpoch[server] = epoch;
            }
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            if (t.stale) {
                // refused where its locks are gone: not committed; the other replicas' records of it stay
                c.stats.add(ClientStats.ABORTED, 1);
                c.refusedLog(t);
                release(c, t, Outcome.RESTART);
            } else {
                BACKUP.start(c, t);
            }
        }

        /** Some replicas may have logged the writes and others not: the outcome is unknown. */
        @Override
        void giveUp(TxnSlots c, TxnSlot t, long now) {
            c.stats.add(ClientStats.UNKNOWN, 1);
            c.unknown(t);
            t.outcome = Outcome.UNKNOWN;
            c.finish(t, now);
        }
    },

    /** The writes installed at the two backups. */
    BACKUP(true, false, Op.TXN_INSERT_BACKUP, Op.TXN_DELETE_BACKUP, Op.TXN_COMMIT_BACKUP) {
        @Override
        void start(TxnSlots c, TxnSlot t) {
            TxnContext x = t.ctx;
            c.enter(t, this);
            for (int w = 0; w < x.writes; w++) {
                int p = TxnEngine.primary(x.writeKey[w]);
                for (int server = 0; server < TxnEngine.REPLICAS; server++) {
                    if (server != p) {
                        c.request(t, writeOp(x.writeKind[w]), server, w);
                    }
                }
            }
        }

        @Override
        void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
            checkInstall(c, t, q, b, status, epoch);
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            PRIMARY.start(c, t);
        }
    },

    /** The writes installed at their primaries (OCC: the install unlocks); the version confirmed is recorded. */
    PRIMARY(true, false, Op.TXN_INSERT_PRIMARY, Op.TXN_DELETE_PRIMARY, Op.TXN_COMMIT_PRIMARY) {
        @Override
        void start(TxnSlots c, TxnSlot t) {
            TxnContext x = t.ctx;
            c.enter(t, this);
            for (int w = 0; w < x.writes; w++) {
                c.request(t, writeOp(x.writeKind[w]), TxnEngine.primary(x.writeKey[w]), w);
            }
        }

        @Override
        void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
            boolean lostUpdate = checkInstall(c, t, q, b, status, epoch);
            TxnContext x = t.ctx;
            int w = c.table.index(q);
            x.confirmed[w] = lostUpdate ? x.writeVersion[w] : TxnMessage.version(b);
            int a = x.writeAccess[w];
            if (c.protocol.installUnlocks && a >= 0) {
                x.held[a] = false; // the install unlocked it
            }
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            release(c, t, Outcome.COMMIT);
        }
    },

    /** The locks still held released (2PL: every lock; OCC: locks on records not written), then the outcome. */
    RELEASE(false, true) {
        @Override
        void start(TxnSlots c, TxnSlot t) {
            TxnContext x = t.ctx;
            c.enter(t, this);
            for (int a = 0; a < x.accesses; a++) {
                if (x.held[a]) {
                    c.request(t, c.protocol.releaseOp(x.mode[a]), TxnEngine.primary(x.key[a]), a);
                }
            }
            if (c.table.requests(t.index) == 0) {
                c.finish(t, System.nanoTime());
            }
        }

        @Override
        void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
            int i = c.table.index(q);
            int server = c.table.server(q);
            t.checkLogEpoch(server, epoch);
            // a lock whose request was never answered may not have been granted, and one from an
            // epoch the shard has left may be gone
            boolean unsure = status == Status.NOT_HELD && (t.ctx.mayNotHold[i] || t.leftGrantEpoch(server, epoch));
            if (status != Status.OK && !unsure) {
                throw c.violation(t, q, b, "OK");
            }
            t.ctx.held[i] = false;
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            if (t.outcome == Outcome.COMMIT && t.relogNeeded()) {
                RELOG.start(c, t);
            } else {
                c.finish(t, now);
            }
        }

        /** What the servers did not answer is left to their leases; a committed transaction stays committed. */
        @Override
        void giveUp(TxnSlots c, TxnSlot t, long now) {
            if (t.outcome == Outcome.RESTART) {
                c.stats.add(ClientStats.GAVE_UP, 1);
            }
            c.finish(t, now);
        }
    },

    /** A committed transaction's records logged again at every shard that left the epoch it acknowledged them in. */
    RELOG(true, true, Op.TXN_INSERT_LOG, Op.TXN_DELETE_LOG, Op.TXN_COMMIT_LOG) {
        @Override
        void start(TxnSlots c, TxnSlot t) {
            c.enter(t, this);
            logTo(c, t, true);
            for (int server = 0; server < TxnEngine.REPLICAS; server++) {
                t.relog[server] = false;
            }
        }

        @Override
        void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
            if (status != Status.OK) {
                throw c.violation(t, q, b, "OK");
            }
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            c.finish(t, now);
        }

        @Override
        void giveUp(TxnSlots c, TxnSlot t, long now) {
            c.finish(t, now);
        }
    };

    /** Its requests carry a write (version, flags, value); the others a key. */
    final boolean install;
    /** Its retries are bounded: a committed transaction's installs are resent for as long as it takes. */
    final boolean mayGiveUp;
    private final int insertOp;
    private final int deleteOp;
    private final int updateOp;

    Phase(boolean install, boolean mayGiveUp) {
        this(install, mayGiveUp, 0, 0, 0);
    }

    Phase(boolean install, boolean mayGiveUp, int insertOp, int deleteOp, int updateOp) {
        this.install = install;
        this.mayGiveUp = mayGiveUp;
        this.insertOp = insertOp;
        this.deleteOp = deleteOp;
        this.updateOp = updateOp;
    }

    /** Sends the phase's requests; a phase with nothing to send goes on to the next (or ends the transaction). */
    abstract void start(TxnSlots c, TxnSlot t);

    /** Releases every lock still held, then ends the transaction as {@code then} says. */
    static void release(TxnSlots c, TxnSlot t, Outcome then) {
        t.outcome = then;
        RELEASE.start(c, t);
    }

    /** Request {@code q} answered {@code status} (not RETRY) in {@code epoch}: throws unless the protocol allows it here. */
    abstract void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch);

    /** Every request of the phase answered: what comes next. */
    abstract void done(TxnSlots c, TxnSlot t, long now);

    /** The phase went unanswered for the give-up bound (only when {@link #mayGiveUp}). */
    void giveUp(TxnSlots c, TxnSlot t, long now) {
        throw new IllegalStateException(this + " is never given up");
    }

    /** The op that writes a write of {@code kind} ({@link TxnContext#UPDATE}, INSERT, DELETE) in this phase. */
    int writeOp(int kind) {
        return kind == TxnContext.INSERT ? insertOp : kind == TxnContext.DELETE ? deleteOp : updateOp;
    }

    /** The flags of an install of write {@code w}: OCC's primary install of a record the transaction locked unlocks it. */
    int installFlags(TxnSlots c, TxnContext x, int w) {
        return this == PRIMARY && c.protocol.installUnlocks && x.writeAccess[w] >= 0 ? Wire.TXN_F_UNLOCK : 0;
    }

    /** Before LOG nothing was written: the attempt aborts, releasing what it holds (a release given up leaves the rest to the leases). */
    private static void abandon(TxnSlots c, TxnSlot t) {
        c.stats.add(ClientStats.ABORTED, 1);
        c.stats.add(ClientStats.GAVE_UP, 1);
        release(c, t, Outcome.RESTART);
    }

    /** The LOG requests of every write, to every shard or ({@code marked}) to those marked for a RELOG. */
    void logTo(TxnSlots c, TxnSlot t, boolean marked) {
        TxnContext x = t.ctx;
        for (int w = 0; w < x.writes; w++) {
            for (int server = 0; server < TxnEngine.REPLICAS; server++) {
                if (!marked || t.relog[server]) {
                    c.request(t, writeOp(x.writeKind[w]), server, w);
                }
            }
        }
    }

    /**
     * An install's reply: APPLIED or ALREADY_APPLIED, carrying the install's version, else a
     * violation. Without concurrency control (a negative control) two transactions may write one
     * version: the second install is refused, and the history records the write as the transaction
     * made it, so that the checker sees the lost update; returns true for such a refusal.
     */
    private static boolean checkInstall(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
        t.checkLogEpoch(c.table.server(q), epoch);
        boolean lostUpdate = !c.concurrencyControl && status == Status.REFUSED;
        if (!lostUpdate && ((status != Status.APPLIED && status != Status.ALREADY_APPLIED)
                || TxnMessage.version(b) != t.ctx.writeVersion[c.table.index(q)])) {
            throw c.violation(t, q, b, "APPLIED or ALREADY_APPLIED, with the install's version");
        }
        return lostUpdate;
    }
}
