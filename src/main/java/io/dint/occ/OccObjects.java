package io.dint.occ;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.server.Allowlist;
import io.dint.server.XdpServer;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/** Loads {@code occ.bpf.o} with a table of a given size, and reads that table back. */
public final class OccObjects {
    private OccObjects() {}

    public static final String PROGRAM = "occ_xdp";
    public static final String TABLE = "occ_table";

    /**
     * Opens and loads the OCC object with {@code tableSize} entries, answering frames sent to
     * {@code mac} (all zero: any frame, for test-run fixtures) from the sources {@code allow} allows.
     */
    public static BpfObject load(int tableSize, byte[] mac, Allowlist allow) {
        return XdpServer.load("occ", TABLE, tableSize, mac, allow);
    }

    /** Scans the kernel's OCC table entry by entry. */
    public static OccTableCheck scan(BpfObject obj) {
        BpfMap table = obj.map(TABLE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate((long) table.maxEntries() * Wire.LOCK_ENTRY_SIZE, 8);
            table.copyAll(copy);
            return OccTableCheck.scan(copy, table.maxEntries());
        }
    }

    public static Map<String, Object> check(BpfObject obj) {
        return scan(obj).toMap();
    }
}
