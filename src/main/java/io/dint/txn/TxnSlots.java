package io.dint.txn;

import io.dint.client.ClientStats;
import io.dint.net.Ipv4;
import io.dint.txn.TxnSlot.Outcome;
import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The transactions one coordinator has in flight, one per slot, and what moves them: the next
 * transaction from the source, an attempt's start under a fresh id, the logic's decision after
 * each round, the {@link Phase}s in between, the end of a transaction told to the listeners, and
 * the scan that gives up phases unanswered too long and resends requests whose timeout ran out.
 * The datagrams themselves are {@link TxnEngine}'s. Nothing is allocated per request.
 */
final class TxnSlots {
    final TxnEngine.Protocol protocol;
    /** OCC validation and 2PL locks on; off only in negative controls. */
    final boolean concurrencyControl;
    final ClientStats stats;
    final RequestTable table;
    final RtoEstimator timer;
    private final TxnSlot[] slots;
    private final TxnListener[] listeners;
    private final TxnEngine.Source source;
    private final BooleanSupplier stopping;
    private final int clientId;
    private final int[] servers;
    private final int port;
    private final long giveUpNanos;
    private final long lockLeaseNanos;
    private final SplittableRandom backoff = new SplittableRandom();
    private long txnCounter;

    /** @param ctx a concluded context; {@code stopping} says when to take no more transactions */
    TxnSlots(TxnEngine.Context ctx, Arena arena, BooleanSupplier stopping) {
        this.protocol = ctx.protocol;
        this.concurrencyControl = ctx.concurrencyControl;
        this.stats = ctx.stats;
        this.table = new RequestTable(ctx.inflight);
        this.timer = new RtoEstimator(ctx.timeoutNanos);
        this.slots = new TxnSlot[ctx.inflight];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = new TxnSlot(s, arena);
        }
        this.listeners = ctx.listeners.toArray(new TxnListener[0]);
        this.source = ctx.source;
        this.stopping = stopping;
        this.clientId = ctx.clientId;
        this.servers = ctx.servers;
        this.port = ctx.port;
        this.giveUpNanos = ctx.giveUpNanos;
        this.lockLeaseNanos = ctx.lockLeaseNanos;
    }

    TxnSlot slot(int s) {
        return slots[s];
    }

    int size() {
        return slots.length;
    }

    /** Gives every slot its first transaction; returns how many got one. */
    int startAll(long now) {
        int active = 0;
        for (TxnSlot t : slots) {
            active += startNext(t, now) ? 1 : 0;
        }
        return active;
    }

    /**
     * Restarts the aborted attempts whose backoff ran out, gives up the phases unanswered for the
     * give-up bound (see {@link Phase#giveUp}), queues again the requests whose timeout ran out;
     * returns how many slots are still active.
     */
    int scan(long now) {
        int active = 0;
        for (TxnSlot t : slots) {
            if (t.idle) {
                continue;
            }
            active++;
            if (t.restartAt != 0) {
                if (now >= t.restartAt) {
                    t.restartAt = 0;
                    beginAttempt(t);
                }
                continue;
            }
            int s = t.index;
            if (table.outstanding(s) > 0 && now - table.phaseStart(s) > giveUpNanos && t.phase.mayGiveUp) {
                t.phase.giveUp(this, t, now);
                continue;
            }
            int expired = table.expire(s, now, timer);
            if (expired > 0) {
                stats.add(ClientStats.TIMEOUTS, expired);
            }
        }
        return active;
    }

    /** Request {@code q}'s reply {@code b}, received at {@code now}: counted, timed, and handed to its phase. */
    void onReply(int q, MemorySegment b, long now) {
        int status = Header.status(b);
        long rtt = now - table.sentAt(q);
        stats.add(ClientStats.REPLIES, 1);
        stats.recordRequest(rtt);
        if (!table.resent(q)) {
            timer.sample(rtt);
        }
        if (status == Status.RETRY) {
            stats.add(ClientStats.RETRIES, 1);
            table.retry(q);
            return;
        }
        int outstanding = table.answered(q);
        TxnSlot t = slots[RequestTable.slotOf(q)];
        t.phase.reply(this, t, q, b, status, Header.reserved(b));
        if (outstanding == 0) {
            t.phase.done(this, t, now);
        }
    }

    private boolean startNext(TxnSlot t, long now) {
        TxnLogic l = stopping.getAsBoolean() ? null : source.next(t.index);
        if (l == null) {
            t.idle = true;
            table.retire(t.index);
            return false;
        }
        t.logic = l;
        t.txnStart = now;
        t.attempts = 0;
        beginAttempt(t);
        return true;
    }

    private void beginAttempt(TxnSlot t) {
        t.beginAttempt(((long) clientId << 40) | (++txnCounter & ((1L << 40) - 1)));
        decide(t);
    }

    /** Asks the logic what next and starts the phase that follows. */
    void decide(TxnSlot t) {
        TxnContext c = t.ctx;
        c.roundStart = c.accesses;
        int next = t.logic.step(c, t.round++);
        switch (next) {
            case TxnLogic.CONTINUE -> Phase.EXECUTE.start(this, t);
            case TxnLogic.COMMIT -> Phase.VALIDATE.start(this, t);
            case TxnLogic.ROLLBACK -> release(t, Outcome.ROLLBACK);
            default -> throw new IllegalStateException("TxnLogic.step returned " + next);
        }
    }

    /** Releases every lock the attempt still holds, then ends the transaction as {@code then} says. */
    void release(TxnSlot t, Outcome then) {
        t.outcome = then;
        Phase.RELEASE.start(this, t);
    }

    /** The attempt aborts (counted), releases what it holds and its transaction restarts. */
    void abort(TxnSlot t) {
        stats.add(ClientStats.ABORTED, 1);
        release(t, Outcome.RESTART);
    }

    /**
     * A phase before LOG given up: nothing was written, so the attempt aborts, releasing what it
     * holds (a release given up in turn leaves the rest to the servers' leases).
     */
    void abandon(TxnSlot t) {
        stats.add(ClientStats.ABORTED, 1);
        stats.add(ClientStats.GAVE_UP, 1);
        release(t, Outcome.RESTART);
    }

    /** The slot enters phase {@code p}: fresh request ids, no requests yet. */
    void enter(TxnSlot t, Phase p) {
        t.phase = p;
        table.newPhase(t.index);
    }

    /** Adds a request of the slot's phase: {@code op} for access or write {@code index}, to shard {@code server}. */
    void request(TxnSlot t, int op, int server, int index) {
        table.add(t.index, op, server, index, timer.rto());
    }

    /**
     * True when the attempt's locks may be near the end of their lease: its first lock was asked
     * for longer than half the lease ago (the lease runs on the shard from the grant, which came
     * after the request, so this clock's reading is on the safe side).
     */
    boolean leaseSpent(TxnSlot t) {
        return t.lockStart != 0 && System.nanoTime() - t.lockStart > lockLeaseNanos / 2;
    }

    /** Ends the slot's transaction as its outcome says, and starts its next one (or, after an abort, its next attempt). */
    void finish(TxnSlot t, long now) {
        switch (t.outcome) {
            case COMMIT -> {
                stats.add(ClientStats.COMMITTED, 1);
                stats.add(ClientStats.GOOD_REQUESTS, t.attemptRequests);
                stats.recordTxn(now - t.txnStart);
                for (TxnListener l : listeners) {
                    l.committed(t.txnId, t.logic.type(), t.ctx);
                }
            }
            case ROLLBACK -> {
                for (TxnListener l : listeners) {
                    l.rolledBack(t.txnId, t.logic.type(), t.ctx);
                }
                stats.add(ClientStats.ROLLED_BACK, 1);
                stats.recordTxn(now - t.txnStart);
            }
            case UNKNOWN -> { } // neither committed nor aborted: told to the listeners when given up
            case RESTART -> {
                for (TxnListener l : listeners) {
                    l.aborted(t.txnId, t.ctx);
                }
                // no-wait 2PL and OCC livelock under contention unless restarts spread out:
                // randomized exponential backoff from 10 us, capped at ~2.5 ms
                int a = Math.min(++t.attempts, 8);
                t.restartAt = now + 1 + backoff.nextLong(10_000L << a);
                enter(t, Phase.EXECUTE);
                return;
            }
        }
        startNext(t, now);
    }

    /** The attempt's LOG was refused by a replica that left the epoch of its grants. */
    void refusedLog(TxnSlot t) {
        for (TxnListener l : listeners) {
            l.refusedLog(t.txnId, t.ctx);
        }
    }

    /** The transaction's LOG was given up: its outcome is unknown, counted and told, and the slot moves on. */
    void unknown(TxnSlot t, long now) {
        stats.add(ClientStats.UNKNOWN, 1);
        for (TxnListener l : listeners) {
            l.unknown(t.txnId, t.ctx);
        }
        t.outcome = Outcome.UNKNOWN;
        finish(t, now);
    }

    /** Counts a reply the protocol does not allow and describes it, request and reply, for the exception that stops the run. */
    TxnEngine.ProtocolViolation violation(TxnSlot t, int q, MemorySegment reply, String allowed) {
        stats.add(ClientStats.PROTOCOL_ERRORS, 1);
        TxnContext c = t.ctx;
        int i = table.index(q);
        boolean install = t.phase.install;
        StringBuilder m = new StringBuilder("protocol violation in phase ").append(t.phase.name())
                .append(": request ").append(Op.name(table.op(q)))
                .append(" key 0x").append(Long.toHexString(install ? c.writeKey[i] : c.key[i]))
                .append(" txn 0x").append(Long.toHexString(t.txnId));
        if (install) {
            m.append(" version ").append(Integer.toUnsignedString(c.writeVersion[i]))
                    .append(" flags 0x").append(Integer.toHexString(protocol.installFlags(t.phase, c, i)));
        }
        m.append(" (client ").append(clientId).append(", seq 0x").append(Long.toHexString(Header.seq(reply)))
                .append(") to ").append(Ipv4.format(servers[table.server(q)])).append(':').append(port)
                .append(" was answered ").append(Status.name(Header.status(reply)))
                .append(" with version ").append(Integer.toUnsignedString(TxnMessage.version(reply)))
                .append(" and flags 0x").append(Integer.toHexString(TxnMessage.flags(reply)))
                .append("; the commit protocol allows only ").append(allowed).append(" here");
        return new TxnEngine.ProtocolViolation(m.toString());
    }
}
