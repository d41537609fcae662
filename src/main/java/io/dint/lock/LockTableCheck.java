package io.dint.lock;

import static io.dint.wire.Wire.LOCK_ENTRY_EXCLUSIVE;
import static io.dint.wire.Wire.LOCK_ENTRY_HOLDER;
import static io.dint.wire.Wire.LOCK_ENTRY_SHARED;
import static io.dint.wire.Wire.LOCK_ENTRY_SIZE;
import static io.dint.wire.Wire.LOCK_ENTRY_SPIN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a scan of a lock table at quiescence finds: entries still held or still spinning. */
public record LockTableCheck(long entries, long sharedHeld, long exclusiveHeld, long spinning, long strayHolders) {

    /** Scans {@code count} entries laid out as {@code struct dint_lock_entry} from offset 0. */
    public static LockTableCheck scan(MemorySegment table, long count) {
        long shared = 0, exclusive = 0, spinning = 0, stray = 0;
        for (long i = 0; i < count; i++) {
            long e = i * LOCK_ENTRY_SIZE;
            shared += table.get(JAVA_INT, e + LOCK_ENTRY_SHARED) != 0 ? 1 : 0;
            int x = table.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE);
            exclusive += x != 0 ? 1 : 0;
            spinning += table.get(JAVA_INT, e + LOCK_ENTRY_SPIN) != 0 ? 1 : 0;
            stray += x == 0 && table.get(JAVA_LONG, e + LOCK_ENTRY_HOLDER) != 0 ? 1 : 0;
        }
        return new LockTableCheck(count, shared, exclusive, spinning, stray);
    }

    /** True when no entry is held, spinning or names a holder. */
    public boolean allFree() {
        return sharedHeld == 0 && exclusiveHeld == 0 && spinning == 0 && strayHolders == 0;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", entries);
        m.put("shared_held", sharedHeld);
        m.put("exclusive_held", exclusiveHeld);
        m.put("spinning", spinning);
        m.put("stray_holders", strayHolders);
        m.put("all_free", allFree());
        return m;
    }
}
