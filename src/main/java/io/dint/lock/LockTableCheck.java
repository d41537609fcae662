package io.dint.lock;

import static io.dint.wire.Wire.LOCK_ENTRY_EXCLUSIVE;
import static io.dint.wire.Wire.LOCK_ENTRY_SHARED;
import static io.dint.wire.Wire.LOCK_ENTRY_SIZE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a scan of lock entries ({@code struct dint_lock_entry}) finds: entries still held or still
 * spinning (meaningful at quiescence), and entries whose counts and names break the rules
 * ({@link LockRules#inconsistency}), which no sequence of requests may ever leave.
 */
public record LockTableCheck(long entries, long sharedHeld, long exclusiveHeld, long spinning, long inconsistent) {

    /** Scans {@code count} entries laid out as {@code struct dint_lock_entry} from offset 0. */
    public static LockTableCheck scan(MemorySegment table, long count) {
        return scan(table, count, LOCK_ENTRY_SIZE, 0);
    }

    /** Scans {@code count} entries at {@code offset}, {@code offset + stride}, … (entries embedded in records). */
    public static LockTableCheck scan(MemorySegment table, long count, long stride, long offset) {
        long shared = 0, exclusive = 0, spinning = 0, inconsistent = 0;
        for (long i = 0; i < count; i++) {
            long e = i * stride + offset;
            shared += table.get(JAVA_INT, e + LOCK_ENTRY_SHARED) != 0 ? 1 : 0;
            exclusive += table.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE) != 0 ? 1 : 0;
            spinning += LockRules.spinning(table, e) ? 1 : 0;
            inconsistent += LockRules.inconsistency(table, e) != null ? 1 : 0;
        }
        return new LockTableCheck(count, shared, exclusive, spinning, inconsistent);
    }

    /** True when no entry is held, spinning or inconsistent. */
    public boolean allFree() {
        return sharedHeld == 0 && exclusiveHeld == 0 && spinning == 0 && inconsistent == 0;
    }

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
