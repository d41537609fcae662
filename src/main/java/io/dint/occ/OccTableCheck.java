package io.dint.occ;

import static io.dint.wire.Wire.OCC_ENTRY_OWNER;
import static io.dint.wire.Wire.OCC_ENTRY_SIZE;
import static io.dint.wire.Wire.OCC_ENTRY_SPIN;
import static io.dint.wire.Wire.OCC_ENTRY_VERSION;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a scan of an OCC table at quiescence finds: entries still locked or spinning, and the sum
 * of all versions — the number of COMMITs applied, to hold against the clients' count.
 */
public record OccTableCheck(long entries, long locked, long spinning, long versionSum) {

    /** Scans {@code count} entries laid out as {@code struct dint_occ_entry} from offset 0. */
    public static OccTableCheck scan(MemorySegment table, long count) {
        long locked = 0, spinning = 0, versions = 0;
        for (long i = 0; i < count; i++) {
            long e = i * OCC_ENTRY_SIZE;
            locked += table.get(JAVA_LONG, e + OCC_ENTRY_OWNER) != 0 ? 1 : 0;
            spinning += table.get(JAVA_INT, e + OCC_ENTRY_SPIN) != 0 ? 1 : 0;
            versions += Integer.toUnsignedLong(table.get(JAVA_INT, e + OCC_ENTRY_VERSION));
        }
        return new OccTableCheck(count, locked, spinning, versions);
    }

    /** True when no entry is locked or spinning. */
    public boolean allFree() {
        return locked == 0 && spinning == 0;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", entries);
        m.put("locked", locked);
        m.put("spinning", spinning);
        m.put("version_sum", versionSum);
        m.put("all_free", allFree());
        return m;
    }
}
