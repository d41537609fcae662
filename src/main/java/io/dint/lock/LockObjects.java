package io.dint.lock;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.server.XdpServer;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/** Loads {@code lock2pl.bpf.o} with a lock table of a given size, and reads that table back. */
public final class LockObjects {
    private LockObjects() {}

    public static final String PROGRAM = "lock2pl_xdp";

    /**
     * Opens and loads the 2PL lock object with {@code tableSize} entries, answering frames sent to
     * {@code mac} (all zero: any frame, for test-run fixtures).
     */
    public static BpfObject load(int tableSize, byte[] mac) {
        BpfObject obj = BpfObject.openBundled("lock2pl");
        try {
            obj.map("lock_table").setMaxEntries(tableSize);
            XdpServer.configure(obj, mac, tableSize);
            obj.load();
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** Scans the kernel's lock table entry by entry. */
    public static LockTableCheck scan(BpfObject obj) {
        BpfMap table = obj.map("lock_table");
        long n = table.maxEntries();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(n * Wire.LOCK_ENTRY_SIZE, 8);
            MemorySegment key = arena.allocate(4, 4);
            for (int i = 0; i < n; i++) {
                key.set(ValueLayout.JAVA_INT, 0, i);
                table.lookup(key, copy.asSlice((long) i * Wire.LOCK_ENTRY_SIZE, Wire.LOCK_ENTRY_SIZE));
            }
            return LockTableCheck.scan(copy, n);
        }
    }

    public static Map<String, Object> check(BpfObject obj) {
        return scan(obj).toMap();
    }
}
