package io.dint.lock;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Handle;
import io.dint.server.Allowlist;
import io.dint.server.ServiceObject;
import java.util.Map;

/**
 * {@code lock2pl.bpf.o} loaded: its XDP program and its lock table, an array of {@code struct
 * dint_lock_entry} indexed by {@code hash(lock id) % size}.
 */
public record LockObject(BpfObject object, @Handle(LockObject.PROGRAM) BpfProgram xdp, @Handle(LockObject.TABLE) BpfMap table)
        implements ServiceObject {
    /** The XDP program's C name. */
    public static final String PROGRAM = "lock2pl_xdp";
    /** The lock table's C name. */
    public static final String TABLE = "lock_table";

    /**
     * Loads the 2PL lock object with {@code entries} lock entries, answering frames sent to
     * {@code mac} (all zero: any frame, for test-run fixtures) from the sources {@code allow} allows.
     */
    public static LockObject load(int entries, byte[] mac, Allowlist allow) {
        return ServiceObject.spec("lock2pl", mac, entries, allow).size(TABLE, entries).load(LockObject.class);
    }

    /** The kernel's table scanned entry by entry. */
    public LockTableCheck scan() {
        return LockTableCheck.of(LockEntryCounts.scan(table));
    }

    /** The kernel's lock table scanned entry by entry, at quiescence. */
    public Map<String, Object> check() {
        return scan().toMap();
    }
}
