package io.dint.lock;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a scan of a 2PL lock table finds: entries still held or still spinning (meaningful at
 * quiescence), and entries whose counts and names break the rules ({@link LockRules#inconsistency}),
 * which no sequence of requests may ever leave.
 */
public record LockTableCheck(long entries, long sharedHeld, long exclusiveHeld, long spinning, long inconsistent)
        implements LockEntryService.TableCheck {

    /** The 2PL view of a scan. */
    public static LockTableCheck of(LockEntryCounts c) {
        return new LockTableCheck(c.entries(), c.shared(), c.exclusive(), c.spinning(), c.inconsistent());
    }

    /** Scans {@code count} entries laid out as {@code struct dint_lock_entry} from offset 0. */
    public static LockTableCheck scan(MemorySegment table, long count) {
        return of(LockEntryCounts.scan(table, count));
    }

    /** True when no entry is held, spinning or inconsistent. */
    @Override
    public boolean allFree() {
        return sharedHeld == 0 && exclusiveHeld == 0 && spinning == 0 && inconsistent == 0;
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", entries);
        m.put("shared_held", sharedHeld);
        m.put("exclusive_held", exclusiveHeld);
        m.put("spinning", spinning);
        m.put("inconsistent", inconsistent);
        m.put("all_free", allFree());
        return m;
    }
}
