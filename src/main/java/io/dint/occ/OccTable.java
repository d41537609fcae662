package io.dint.occ;

import static io.dint.wire.Wire.LOCK_ENTRY_VERSION;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.lock.LockEntryService;
import io.dint.lock.LockRules;
import io.dint.server.DatagramService;
import io.dint.wire.Header;
import io.dint.wire.OccMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * The OCC lock + version table in user space: the same entries ({@code struct dint_lock_entry},
 * off-heap in the C layout), hash, spin CAS, lock rules ({@link LockRules}: the lock is the
 * exclusive grant, a commit a release that bumps the version), dedup window and replies as
 * {@code occ.bpf.c}, so the UDP backend answers every request byte for byte as the XDP one does.
 * The entries, their dedup window and their scan are {@link LockEntryService}'s.
 */
public final class OccTable extends LockEntryService<OccTableCheck> {

    /** A table of {@code size} entries, all free at version 0. */
    public OccTable(int size) {
        super("OCC table", size, OccTableCheck::of);
    }

    @Override
    public int serve(MemorySegment buf, int len, long[] stats) {
        if (!DatagramService.acceptLength(len, OccMessage.SIZE, stats)) {
            return -1;
        }
        int op = Header.op(buf);
        long txn = OccMessage.txnId(buf);
        if (Header.status(buf) != Status.REQUEST || op < Op.OCC_READ || op > Op.OCC_COMMIT || !LockRules.txnOk(txn)) {
            stats[Stat.DROP_BAD_OP]++;
            return -1;
        }
        // grants are counted: a retransmitted ACQUIRE, ABORT or COMMIT gets its first answer
        int answered = op != Op.OCC_READ ? dedup.answered(buf) : -1;
        long e = table.entry(OccMessage.key(buf));
        int status;
        if (!table.tryLock(e)) {
            status = Status.RETRY;
            OccMessage.setState(buf, 0, false, false);
        } else {
            try {
                if (answered >= 0) {
                    status = answered;
                } else {
                    status = apply(e, op, txn);
                    if (op != Op.OCC_READ) {
                        dedup.remember(buf, status);
                    }
                }
                boolean locked = LockRules.locked(entries, e);
                OccMessage.setState(buf, entries.get(JAVA_INT, e + LOCK_ENTRY_VERSION), locked,
                        locked && !LockRules.foreign(entries, e, txn));
            } finally {
                table.unlock(e);
            }
        }
        stats[answered >= 0 && status != Status.RETRY ? Stat.DUPLICATE : stat(op, status)]++;
        Header.setStatus(buf, status);
        stats[Stat.TX]++;
        return len;
    }

    /** Applies op to the entry at offset e, whose spin word the caller holds; returns the status. */
    private int apply(long e, int op, long txn) {
        return switch (op) {
            case Op.OCC_READ -> Status.OK;
            case Op.OCC_ACQUIRE -> LockRules.exclusive(entries, e, txn, 0);
            case Op.OCC_ABORT -> LockRules.unlockExclusive(entries, e, txn);
            default -> LockRules.commit(entries, e, txn);
        };
    }

    /** The counter occ.bpf.c bumps for a reply. */
    private static int stat(int op, int status) {
        return switch (status) {
            case Status.GRANT -> Stat.OCC_GRANT;
            case Status.REJECT -> Stat.OCC_REJECT;
            case Status.RETRY -> Stat.OCC_RETRY;
            case Status.NOT_HELD -> Stat.OCC_NOT_HELD;
            default -> op == Op.OCC_READ ? Stat.OCC_READ : op == Op.OCC_COMMIT ? Stat.OCC_COMMIT : Stat.OCC_ABORT;
        };
    }
}
