package io.dint.occ;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Handle;
import io.dint.lock.LockEntryCounts;
import io.dint.server.Allowlist;
import io.dint.server.ServiceObject;
import java.util.Map;

/**
 * {@code occ.bpf.o} loaded: its XDP program and its table of {@code struct dint_lock_entry} —
 * version, readers, writer — indexed by {@code hash(key) % size}.
 */
public record OccObject(BpfObject object, @Handle(OccObject.PROGRAM) BpfProgram xdp, @Handle(OccObject.TABLE) BpfMap table)
        implements ServiceObject {
    /** The XDP program's C name. */
    public static final String PROGRAM = "occ_xdp";
    /** The table's C name. */
    public static final String TABLE = "occ_table";

    /**
     * Loads the OCC object with {@code entries} entries, answering frames sent to {@code mac} (all
     * zero: any frame, for test-run fixtures) from the sources {@code allow} allows.
     */
    public static OccObject load(int entries, byte[] mac, Allowlist allow) {
        return ServiceObject.spec("occ", mac, entries, allow).size(TABLE, entries).load(OccObject.class);
    }

    /** The kernel's table scanned entry by entry. */
    public OccTableCheck scan() {
        return OccTableCheck.of(LockEntryCounts.scan(table));
    }

    /** The kernel's OCC table scanned entry by entry, at quiescence. */
    public Map<String, Object> check() {
        return scan().toMap();
    }
}
