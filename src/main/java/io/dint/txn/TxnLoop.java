package io.dint.txn;

import io.dint.client.ClientLoop;
import io.dint.client.ClientStats;
import io.dint.wire.Header;
import io.dint.wire.TxnMessage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A coordinator's side of the wire, run by {@link ClientLoop}'s duty cycle: every queued request
 * of the {@link RequestTable} encoded and sent to its shard, every reply matched to its request
 * by {@code (client id, seq)} and handed to the {@link TxnSlots} (anything else counted stale),
 * and the slots' scan for timeouts and give-ups between polls. The contexts' off-heap values live
 * in an arena closed when the run ends.
 *
 * <p>Why this is not an {@link io.dint.client.InflightLoop}, whose duty cycle it shares: there a
 * slot is one request to one server with a fixed timeout, the seq naming the slot. Here a slot is
 * a transaction whose phase has up to {@link RequestTable#MAX_REQUESTS} requests out at once
 * across three shards, each with its own dedup entry, timeout and resend; timeouts adapt to the
 * round trips measured and retries are bounded, because a lost reply here holds locks.
 */
final class TxnLoop extends ClientLoop {
    final TxnSlots slots;
    private final RequestTable table;
    private final int clientId;
    private final int[] servers;
    private final int port;
    private final Arena arena;
    private volatile boolean vanished;

    /** @param ctx a concluded context */
    TxnLoop(TxnEngine.Context ctx) {
        super(ctx.transport, ctx.stats);
        this.clientId = ctx.clientId;
        this.servers = ctx.servers;
        this.port = ctx.port;
        this.arena = Arena.ofShared(); // an engine may be made on one thread and run on another
        this.slots = new TxnSlots(ctx, arena, this::stopping);
        this.table = slots.table;
    }

    /** Nothing more is sent or received from the next scan on; the transactions stay where they are. */
    void vanish() {
        vanished = true;
    }

    @Override
    protected int start(long now) {
        return vanished ? 0 : slots.startAll(now);
    }

    @Override
    protected void queueSends(long now) {
        for (int s = 0; s < slots.size(); s++) {
            TxnSlot t = slots.slot(s);
            for (int q = RequestTable.first(s), end = q + table.requests(s); q < end; q++) {
                if (table.queued(q)) {
                    encode(nextTx(), t, q);
                    addTx(TxnMessage.SIZE, servers[table.server(q)], port);
                    table.sent(q, now);
                    t.attemptRequests++;
                }
            }
        }
    }

    private void encode(MemorySegment b, TxnSlot t, int q) {
        TxnContext c = t.ctx;
        int i = table.index(q);
        if (!t.phase.install) {
            TxnMessage.encodeRequest(b, table.op(q), clientId, table.seq(q), c.key[i], t.txnId);
            return;
        }
        TxnMessage.encodeInstall(b, table.op(q), clientId, table.seq(q), c.writeKey[i], t.txnId, c.writeVersion[i],
                slots.protocol.installFlags(t.phase, c, i), c.writeValues, (long) i * TxnContext.VALUE);
        if (t.phase == Phase.LOG) {
            // the epoch of this attempt's grants there: a shard that has left it refuses (STALE)
            Header.setReserved(b, t.grantEpoch[table.server(q)]);
        }
    }

    @Override
    protected void receive(MemorySegment b, int len, long now) {
        int q = len == TxnMessage.SIZE && Header.clientId(b) == clientId ? table.match(Header.seq(b)) : -1;
        if (q < 0) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        slots.onReply(q, b, now);
    }

    @Override
    protected int scan(long now) {
        return vanished ? 0 : slots.scan(now);
    }

    @Override
    protected void finished() {
        arena.close();
    }
}
