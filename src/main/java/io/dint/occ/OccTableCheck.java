package io.dint.occ;

import static io.dint.wire.Wire.LOCK_ENTRY_SIZE;
import static io.dint.wire.Wire.LOCK_ENTRY_VERSION;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.lock.LockRules;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a scan of an OCC table at quiescence finds: entries still locked, spinning or breaking the
 * lock rules, and the sum of all versions — the number of COMMITs applied, to hold against the
 * clients' count.
 */
public record OccTableCheck(long entries, long locked, long spinning, long inconsistent, long versionSum) {

    /** Scans {@code count} entries laid out as {@code struct dint_lock_entry} from offset 0. */
    public static OccTableCheck scan(MemorySegment table, long count) {
        long locked = 0, spinning = 0, inconsistent = 0, versions = 0;
        for (long i = 0; i < count; i++) {
            long e = i * LOCK_ENTRY_SIZE;
            locked += LockRules.held(table, e) ? 1 : 0;
            spinning += LockRules.spinning(table, e) ? 1 : 0;
            inconsistent += LockRules.inconsistency(table, e) != null ? 1 : 0;
            versions += Integer.toUnsignedLong(table.get(JAVA_INT, e + LOCK_ENTRY_VERSION));
        }
        return new OccTableCheck(count, locked, spinning, inconsistent, versions);
    }

    /** True when no entry is locked, spinning or inconsistent. */
    public boolean allFree() {
        return locked == 0 && spinning == 0 && inconsistent == 0;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", entries);
        m.put("locked", locked);
        m.put("spinning", spinning);
        m.put("inconsistent", inconsistent);
        m.put("version_sum", versionSum);
        m.put("all_free", allFree());
        return m;
    }
}
