package io.dint.occ;

import io.dint.bpf.BpfObject;
import io.dint.lock.LockEntryCounts;
import io.dint.server.Allowlist;
import io.dint.server.XdpServer;
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
        return OccTableCheck.of(LockEntryCounts.scan(obj.map(TABLE)));
    }

    public static Map<String, Object> check(BpfObject obj) {
        return scan(obj).toMap();
    }
}
