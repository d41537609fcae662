package io.dint.lock;

import io.dint.bpf.BpfObject;
import io.dint.server.Allowlist;
import io.dint.server.XdpServer;
import java.util.Map;

/** Loads {@code lock2pl.bpf.o} with a lock table of a given size, and reads that table back. */
public final class LockObjects {
    private LockObjects() {}

    public static final String PROGRAM = "lock2pl_xdp";
    /** The array map of lock entries ({@code struct dint_lock_entry}), indexed by {@code hash(lock id) % size}. */
    public static final String TABLE = "lock_table";

    /**
     * Opens and loads the 2PL lock object with {@code tableSize} entries, answering frames sent to
     * {@code mac} (all zero: any frame, for test-run fixtures) from the sources {@code allow} allows.
     */
    public static BpfObject load(int tableSize, byte[] mac, Allowlist allow) {
        return XdpServer.load("lock2pl", TABLE, tableSize, mac, allow);
    }

    /** Scans the kernel's lock table entry by entry. */
    public static LockTableCheck scan(BpfObject obj) {
        return LockTableCheck.of(LockEntryCounts.scan(obj.map(TABLE)));
    }

    public static Map<String, Object> check(BpfObject obj) {
        return scan(obj).toMap();
    }
}
