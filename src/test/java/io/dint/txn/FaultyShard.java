package io.dint.txn;

import io.dint.server.DatagramService;
import io.dint.shard.ShardStore;
import io.dint.wire.Header;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import java.lang.foreign.MemorySegment;

/**
 * A shard server with a planted fault: a real {@link ShardStore}, except for the requests a rule
 * picks, which it answers as it likes without serving them (or not at all) — a server that loses
 * a write while acknowledging it, refuses what it should apply, or drops a reply. The store is its
 * owner's to check and close.
 */
final class FaultyShard implements DatagramService {
    /** Serve the request normally. */
    static final int SERVE = -1;
    /** Drop the request: no reply, nothing applied. */
    static final int DROP = -2;
    /** Serve the request, then drop its reply: applied, but the client never hears it. */
    static final int SERVE_AND_DROP_REPLY = -3;

    /** What to do with a request: {@link #SERVE}, {@link #DROP}, or a status to answer without serving it. */
    interface Rule {
        int answer(int op, long key, MemorySegment request);
    }

    private final ShardStore store;
    private volatile Rule rule = (op, key, request) -> SERVE;

    FaultyShard(ShardStore store) {
        this.store = store;
    }

    /** Plants a fault (replacing the one before). */
    void plant(Rule r) {
        rule = r;
    }

    /** Serves everything again. */
    void heal() {
        rule = (op, key, request) -> SERVE;
    }

    @Override
    public int serve(MemorySegment buf, int len, long[] stats) {
        if (len == TxnMessage.SIZE && Header.status(buf) == Status.REQUEST) {
            int a = rule.answer(Header.op(buf), TxnMessage.key(buf), buf);
            if (a == DROP) {
                return -1;
            }
            if (a == SERVE_AND_DROP_REPLY) {
                store.serve(buf, len, stats);
                return -1;
            }
            if (a != SERVE) {
                Header.setStatus(buf, a);
                return len;
            }
        }
        return store.serve(buf, len, stats);
    }
}
