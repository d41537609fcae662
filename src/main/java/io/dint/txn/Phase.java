package io.dint.txn;

import io.dint.client.ClientStats;
import io.dint.txn.TxnSlot.Outcome;
import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;

/**
 * The phases of a transaction (README, "Commit protocol"): what each sends — one request per
 * record, or per record and replica, all at once — which replies it allows, what comes next once
 * all are answered, and what giving it up means; the protocol's own choices are
 * {@link TxnEngine.Protocol}'s, the epochs' rules {@link TxnSlot}'s. Before LOG nothing is
 * written: an attempt that cannot go on aborts, releases what it holds and restarts. Once every
 * replica acknowledged every LOG record the transaction is committed, and BACKUP, PRIMARY and
 * RELEASE are resent until answered, never given up. A reply a phase does not allow stops the
 * coordinator with a {@link TxnEngine.ProtocolViolation} naming the request and the reply.
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
                if (!read) {
                    t.granted(server, epoch);
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
                c.abort(t);
            } else {
                c.decide(t);
            }
        }

        @Override
        void giveUp(TxnSlots c, TxnSlot t, long now) {
            t.releaseUnansweredExclusiveLocks(c.table);
            c.abandon(t);
        }
    },

    /** OCC: the versions of the records read without a lock, again; changed or locked means abort. */
    VALIDATE(false, true) {
        @Override
        void start(TxnSlots c, TxnSlot t) {
            TxnContext x = t.ctx;
            if (!c.protocol.validates(x, c.concurrencyControl)) {
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
            t.validationFailed |= TxnMessage.version(b) != t.ctx.version[i] || (TxnMessage.flags(b) & Wire.TXN_F_LOCKED) != 0;
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            if (!t.epochLost && !t.validationFailed) {
                LOG.start(c, t);
                return;
            }
            if (!t.epochLost) {
                c.stats.add(ClientStats.ABORTED_VALIDATION, 1);
            }
            c.abort(t);
        }

        @Override
        void giveUp(TxnSlots c, TxnSlot t, long now) {
            c.abandon(t);
        }
    },

    /** Every write to the commit log of all three replicas: once all acknowledged, committed. */
    LOG(true, true, Op.TXN_INSERT_LOG, Op.TXN_DELETE_LOG, Op.TXN_COMMIT_LOG) {
        @Override
        void start(TxnSlots c, TxnSlot t) {
            if (c.leaseSpent(t)) {
                c.abort(t);
            } else if (t.ctx.writes == 0) {
                c.release(t, Outcome.COMMIT);
            } else {
                c.enter(t, this);
                sendWrites(c, t);
            }
        }

        @Override
        void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
            if (status == Status.STALE) {
                t.stale = true; // not logged there: the transaction cannot commit
            } else if (status != Status.OK) {
                throw c.violation(t, q, b, "OK or STALE");
            } else {
                t.logged(c.table.server(q), epoch);
            }
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            if (t.stale) {
                // refused where its locks are gone: not committed; the other replicas' records of it stay
                c.refusedLog(t);
                c.abort(t);
            } else {
                BACKUP.start(c, t);
            }
        }

        @Override // some replicas may have logged the writes and others not: the outcome is unknown
        void giveUp(TxnSlots c, TxnSlot t, long now) {
            c.unknown(t, now);
        }
    },

    /** The writes installed at the two backups of their keys. */
    BACKUP(true, false, Op.TXN_INSERT_BACKUP, Op.TXN_DELETE_BACKUP, Op.TXN_COMMIT_BACKUP) {
        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            PRIMARY.start(c, t);
        }
    },

    /** The writes installed at their primaries (OCC: the install unlocks); the version confirmed is kept. */
    PRIMARY(true, false, Op.TXN_INSERT_PRIMARY, Op.TXN_DELETE_PRIMARY, Op.TXN_COMMIT_PRIMARY) {
        @Override
        void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
            boolean lostUpdate = checkInstall(c, t, q, b, status, epoch);
            TxnContext x = t.ctx;
            int w = c.table.index(q);
            x.confirmed[w] = lostUpdate ? x.writeVersion[w] : TxnMessage.version(b);
            if (c.protocol.installUnlocks && x.writeAccess[w] >= 0) {
                x.held[x.writeAccess[w]] = false; // the install unlocked it
            }
        }

        @Override
        void done(TxnSlots c, TxnSlot t, long now) {
            c.release(t, Outcome.COMMIT);
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

        @Override // what the servers did not answer is left to their leases; committed stays committed
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
            sendWrites(c, t);
            java.util.Arrays.fill(t.relog, false);
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
    /** An install phase's ops for an insert, a delete and an update. */
    private final int[] writeOps;

    Phase(boolean install, boolean mayGiveUp, int... writeOps) {
        this.install = install;
        this.mayGiveUp = mayGiveUp;
        this.writeOps = writeOps;
    }

    /**
     * Sends the phase's requests; a phase with nothing to send goes on to the next (or ends the
     * transaction). An install phase's, unless it says otherwise: its writes ({@link #sendWrites}).
     */
    void start(TxnSlots c, TxnSlot t) {
        c.enter(t, this);
        sendWrites(c, t);
    }

    /**
     * Request {@code q} answered {@code status} (not RETRY) in {@code epoch}: throws unless the
     * protocol allows it here. An install phase's, unless it says otherwise: {@link #checkInstall}.
     */
    void reply(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
        checkInstall(c, t, q, b, status, epoch);
    }

    /** Every request of the phase answered: what comes next. */
    abstract void done(TxnSlots c, TxnSlot t, long now);

    /** The phase went unanswered for the give-up bound (only when {@link #mayGiveUp}). */
    void giveUp(TxnSlots c, TxnSlot t, long now) {
        throw new IllegalStateException(this + " is never given up");
    }

    /**
     * An install phase's requests, one per write and shard it goes to: LOG to every replica,
     * RELOG to those marked, BACKUP to the key's two backups, PRIMARY to its primary.
     */
    void sendWrites(TxnSlots c, TxnSlot t) {
        TxnContext x = t.ctx;
        for (int w = 0; w < x.writes; w++) {
            int kind = x.writeKind[w];
            int op = writeOps[kind == TxnContext.INSERT ? 0 : kind == TxnContext.DELETE ? 1 : 2];
            int primary = TxnEngine.primary(x.writeKey[w]);
            for (int server = 0; server < TxnEngine.REPLICAS; server++) {
                boolean to = switch (this) {
                    case LOG -> true;
                    case RELOG -> t.relog[server];
                    case BACKUP -> server != primary;
                    default -> server == primary;
                };
                if (to) {
                    c.request(t, op, server, w);
                }
            }
        }
    }

    /**
     * An install's reply must be APPLIED or ALREADY_APPLIED with the install's version. Without
     * concurrency control (a negative control) a second write of one version is REFUSED: returns
     * true, and the history records the write as made, so that the checker sees the lost update.
     */
    boolean checkInstall(TxnSlots c, TxnSlot t, int q, MemorySegment b, int status, int epoch) {
        t.checkLogEpoch(c.table.server(q), epoch);
        boolean lostUpdate = !c.concurrencyControl && status == Status.REFUSED;
        if (!lostUpdate && ((status != Status.APPLIED && status != Status.ALREADY_APPLIED)
                || TxnMessage.version(b) != t.ctx.writeVersion[c.table.index(q)])) {
            throw c.violation(t, q, b, "APPLIED or ALREADY_APPLIED, with the install's version");
        }
        return lostUpdate;
    }
}
