package io.dint.occ;

import static io.dint.wire.Wire.OCC_ENTRY_OWNER;
import static io.dint.wire.Wire.OCC_ENTRY_SIZE;
import static io.dint.wire.Wire.OCC_ENTRY_SPIN;
import static io.dint.wire.Wire.OCC_ENTRY_VERSION;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.server.DatagramService;
import io.dint.server.SpinTable;
import io.dint.wire.Header;
import io.dint.wire.OccMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * The OCC lock + version table in user space: the same entries ({@code struct dint_occ_entry},
 * off-heap in the C layout), hash, spin CAS and replies as {@code occ.bpf.c}, so the UDP backend
 * answers every request byte for byte as the XDP one does.
 */
public final class OccTable implements DatagramService, AutoCloseable {
    private final SpinTable table;
    private final MemorySegment entries;

    public OccTable(int size) {
        this.table = new SpinTable("OCC table", size, OCC_ENTRY_SIZE, OCC_ENTRY_SPIN);
        this.entries = table.entries();
    }

    @Override
    public int serve(MemorySegment buf, int len, long[] stats) {
        if (!DatagramService.acceptLength(len, OccMessage.SIZE, stats)) {
            return -1;
        }
        int op = Header.op(buf);
        long txn = OccMessage.txnId(buf);
        if (Header.status(buf) != Status.REQUEST || op < Op.OCC_READ || op > Op.OCC_COMMIT || txn == 0) {
            stats[Stat.DROP_BAD_OP]++;
            return -1;
        }
        long e = table.entry(OccMessage.key(buf));
        int status;
        if (!table.tryLock(e)) {
            status = Status.RETRY;
            OccMessage.setState(buf, 0, false, false);
        } else {
            try {
                status = apply(e, op, txn);
                long owner = entries.get(JAVA_LONG, e + OCC_ENTRY_OWNER);
                OccMessage.setState(buf, entries.get(JAVA_INT, e + OCC_ENTRY_VERSION), owner != 0, owner == txn);
            } finally {
                table.unlock(e);
            }
        }
        stats[stat(op, status)]++;
        Header.setStatus(buf, status);
        stats[Stat.TX]++;
        return len;
    }

    /** Applies op to the entry at offset e, whose spin word the caller holds; returns the status. */
    private int apply(long e, int op, long txn) {
        long owner = entries.get(JAVA_LONG, e + OCC_ENTRY_OWNER);
        switch (op) {
            case Op.OCC_READ -> {
                return Status.OK;
            }
            case Op.OCC_ACQUIRE -> {
                // the owner is granted again: a retransmission, or another key on its entry
                if (owner != 0 && owner != txn) {
                    return Status.REJECT;
                }
                entries.set(JAVA_LONG, e + OCC_ENTRY_OWNER, txn);
                return Status.GRANT;
            }
            default -> {
                if (owner != txn) {
                    return Status.NOT_HELD;
                }
                if (op == Op.OCC_COMMIT) {
                    entries.set(JAVA_INT, e + OCC_ENTRY_VERSION, entries.get(JAVA_INT, e + OCC_ENTRY_VERSION) + 1);
                }
                entries.set(JAVA_LONG, e + OCC_ENTRY_OWNER, 0L);
                return Status.OK;
            }
        }
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

    /** Scans every entry; meaningful at quiescence. */
    public OccTableCheck scan() {
        return OccTableCheck.scan(entries, table.size());
    }

    @Override
    public Map<String, Object> check() {
        return scan().toMap();
    }

    @Override
    public void close() {
        table.close();
    }
}
