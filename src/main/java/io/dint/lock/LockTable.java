package io.dint.lock;

import io.dint.server.DatagramService;
import io.dint.wire.Header;
import io.dint.wire.LockMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * The 2PL no-wait lock table in user space: the same entries, hash, CAS, rules ({@link LockRules})
 * and replies as {@code lock2pl.bpf.c}, so the UDP backend answers every request exactly as the
 * XDP one does. The entries, their dedup window and their scan are {@link LockEntryService}'s.
 */
public final class LockTable extends LockEntryService<LockTableCheck> {

    /** A table of {@code size} entries, all free. */
    public LockTable(int size) {
        super("lock table", size, LockTableCheck::of);
    }

    /** Entries for {@code lockIds} distinct ids at the paper's provisioning of 1.5x. */
    public static int sizeFor(long lockIds) {
        long size = (lockIds * 3 + 1) / 2;
        if (lockIds <= 0 || size > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("lock id count must be in 1.." + Integer.MAX_VALUE / 3 + ", got " + lockIds);
        }
        return (int) size;
    }

    @Override
    public int serve(MemorySegment buf, int len, long[] stats) {
        if (!DatagramService.acceptLength(len, LockMessage.SIZE, stats)) {
            return -1;
        }
        int op = Header.op(buf);
        if (Header.status(buf) != Status.REQUEST
                || op < Op.LOCK_ACQUIRE_SHARED || op > Op.LOCK_RELEASE_EXCLUSIVE || !LockRules.txnOk(LockMessage.txnId(buf))) {
            stats[Stat.DROP_BAD_OP]++;
            return -1;
        }
        int status = dedup.answered(buf);
        if (status >= 0) {
            // a retransmission: counts change once per request, or locks leak
            stats[Stat.DUPLICATE]++;
            Header.setStatus(buf, status);
            stats[Stat.TX]++;
            return len;
        }
        status = apply(op, LockMessage.lockId(buf), LockMessage.txnId(buf));
        if (status != Status.RETRY) {
            dedup.remember(buf, status);
        }
        stats[switch (status) {
            case Status.GRANT -> Stat.GRANT;
            case Status.REJECT -> Stat.REJECT;
            case Status.RETRY -> Stat.RETRY;
            case Status.OK -> Stat.RELEASE;
            default -> Stat.NOT_HELD;
        }]++;
        Header.setStatus(buf, status);
        stats[Stat.TX]++;
        return len;
    }

    /** Applies one lock operation; returns its {@link Status}. */
    int apply(int op, long lockId, long txn) {
        long e = table.entry(lockId);
        if (!table.tryLock(e)) {
            return Status.RETRY;
        }
        try {
            return switch (op) {
                case Op.LOCK_ACQUIRE_SHARED -> LockRules.shared(entries, e, txn, 0);
                case Op.LOCK_ACQUIRE_EXCLUSIVE -> LockRules.exclusive(entries, e, txn, 0);
                case Op.LOCK_RELEASE_SHARED -> LockRules.unlockShared(entries, e, txn);
                default -> LockRules.unlockExclusive(entries, e, txn);
            };
        } finally {
            table.unlock(e);
        }
    }
}
