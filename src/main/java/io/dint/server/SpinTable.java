package io.dint.server;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.wire.Hash64;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The user-space twin of a {@code DINT_TABLE}: fixed-size entries in their C layout, off-heap,
 * indexed by {@code dint_hash64(key) % size}, each guarded by a 32-bit spin word taken with a CAS
 * exactly as the XDP programs take it — a busy entry is answered RETRY, never spun on.
 */
public final class SpinTable implements AutoCloseable {
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final Arena arena = Arena.ofShared();
    private final MemorySegment entries;
    private final int size;
    private final int entrySize;
    private final int spinOffset;

    /**
     * @param what the table's name, for messages
     * @param spinOffset offset of the spin word within an entry
     */
    public SpinTable(String what, int size, int entrySize, int spinOffset) {
        if (size <= 0) {
            throw new IllegalArgumentException(what + " size must be positive, got " + size);
        }
        this.size = size;
        this.entrySize = entrySize;
        this.spinOffset = spinOffset;
        this.entries = arena.allocate((long) size * entrySize, 8);
    }

    public int size() {
        return size;
    }

    /** All entries, laid out as in the kernel's array map. */
    public MemorySegment entries() {
        return entries;
    }

    /** Byte offset in {@link #entries()} of the entry of {@code key}. */
    public long entry(long key) {
        return (long) Hash64.index(key, size) * entrySize;
    }

    /** Takes the spin word of the entry at offset {@code e}; false when it is busy. */
    public boolean tryLock(long e) {
        return INT.compareAndSet(entries, e + spinOffset, 0, 1);
    }

    public void unlock(long e) {
        INT.setRelease(entries, e + spinOffset, 0);
    }

    @Override
    public void close() {
        arena.close();
    }
}
