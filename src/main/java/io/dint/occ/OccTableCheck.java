package io.dint.occ;

import io.dint.lock.LockEntryCounts;
import io.dint.lock.LockEntryService;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a scan of an OCC table at quiescence finds: entries still locked, spinning or breaking the
 * lock rules, and the sum of all versions — the number of COMMITs applied, to hold against the
 * clients' count.
 */
public record OccTableCheck(long entries, long locked, long spinning, long inconsistent, long versionSum)
        implements LockEntryService.TableCheck {

    /** The OCC view of a scan: an entry with any grant is locked. */
    public static OccTableCheck of(LockEntryCounts c) {
        return new OccTableCheck(c.entries(), c.held(), c.spinning(), c.inconsistent(), c.versionSum());
    }

    /** True when no entry is locked, spinning or inconsistent. */
    @Override
    public boolean allFree() {
        return locked == 0 && spinning == 0 && inconsistent == 0;
    }

    @Override
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
