package io.dint.lock;

import static io.dint.wire.Wire.LOCK_ENTRY_EXCLUSIVE;
import static io.dint.wire.Wire.LOCK_ENTRY_SHARED;
import static io.dint.wire.Wire.LOCK_ENTRY_SIZE;
import static io.dint.wire.Wire.LOCK_ENTRY_VERSION;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.bpf.BpfMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One pass over lock entries ({@code struct dint_lock_entry}) wherever they live — a user-space
 * table, a copy of a kernel map, records that embed them: how many hold shared grants, exclusive
 * grants, any grant; how many are spinning; how many break the lock rules ({@link
 * LockRules#inconsistency}); and the sum of their versions. Each table's check reports the counts
 * its protocol cares about ({@link LockTableCheck}, {@code OccTableCheck}); meaningful at quiescence.
 */
public record LockEntryCounts(long entries, long shared, long exclusive, long held, long spinning, long inconsistent,
                              long versionSum) {

    /** Scans {@code count} entries laid out as {@code struct dint_lock_entry} from offset 0. */
    public static LockEntryCounts scan(MemorySegment table, long count) {
        return scan(table, count, LOCK_ENTRY_SIZE, 0);
    }

    /** Scans {@code count} entries at {@code offset}, {@code offset + stride}, … (entries embedded in records). */
    public static LockEntryCounts scan(MemorySegment table, long count, long stride, long offset) {
        long shared = 0, exclusive = 0, held = 0, spinning = 0, inconsistent = 0, versions = 0;
        for (long i = 0; i < count; i++) {
            long e = i * stride + offset;
            shared += table.get(JAVA_INT, e + LOCK_ENTRY_SHARED) != 0 ? 1 : 0;
            exclusive += table.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE) != 0 ? 1 : 0;
            held += LockRules.held(table, e) ? 1 : 0;
            spinning += LockRules.spinning(table, e) ? 1 : 0;
            inconsistent += LockRules.inconsistency(table, e) != null ? 1 : 0;
            versions += Integer.toUnsignedLong(table.get(JAVA_INT, e + LOCK_ENTRY_VERSION));
        }
        return new LockEntryCounts(count, shared, exclusive, held, spinning, inconsistent, versions);
    }

    /** Copies a kernel array map of lock entries (a lock2pl or OCC table) and scans the copy. */
    public static LockEntryCounts scan(BpfMap table) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate((long) table.maxEntries() * LOCK_ENTRY_SIZE, 8);
            table.copyAll(copy);
            return scan(copy, table.maxEntries());
        }
    }
}
