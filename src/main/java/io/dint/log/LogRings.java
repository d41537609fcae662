package io.dint.log;

import static io.dint.wire.Wire.LOG_CURSOR_HEAD;
import static io.dint.wire.Wire.LOG_CURSOR_SIZE;
import static io.dint.wire.Wire.LOG_CURSOR_TAIL;
import static io.dint.wire.Wire.LOG_ENTRY_CLIENT_ID;
import static io.dint.wire.Wire.LOG_ENTRY_KEY;
import static io.dint.wire.Wire.LOG_ENTRY_SEQ;
import static io.dint.wire.Wire.LOG_ENTRY_SIZE;
import static io.dint.wire.Wire.LOG_ENTRY_VALUE;
import static io.dint.wire.Wire.LOG_ENTRY_VERSION;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.wire.Header;
import io.dint.wire.LogMessage;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * A set of log rings laid over two shared segments exactly as {@code log.bpf.c} lays out its maps:
 * {@code rings x slots} entries ({@code struct dint_log_entry}), ring r at slots
 * {@code [r * slots, (r + 1) * slots)}, and one {@code struct dint_log_cursor} per ring. Each
 * ring has one producer, which writes a record and then publishes it by moving head on (release),
 * and one consumer, the drainer, which moves tail on (release) once the records are in the file;
 * a producer refuses to append when {@code head - tail == slots}, so nothing undrained is lost.
 */
public final class LogRings {
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final MemorySegment entries;
    private final MemorySegment cursors;
    private final int rings;
    private final int slots;

    public LogRings(MemorySegment entries, MemorySegment cursors, int rings, int slots) {
        checkSlots(slots);
        if (rings <= 0 || entries.byteSize() < (long) rings * slots * LOG_ENTRY_SIZE
                || cursors.byteSize() < (long) rings * LOG_CURSOR_SIZE) {
            throw new IllegalArgumentException("segments too small for " + rings + " rings of " + slots + " slots");
        }
        this.entries = entries;
        this.cursors = cursors;
        this.rings = rings;
        this.slots = slots;
    }

    /** Slots per ring must be a power of two (the kernel indexes with a mask), 2..2^24. */
    public static void checkSlots(int slots) {
        if (slots < 2 || slots > (1 << 24) || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("ring slots must be a power of two in 2..16777216, got " + slots);
        }
    }

    public int rings() {
        return rings;
    }

    /**
     * Hands each thread that asks a ring of its own, for good (a ring has one producer): the
     * serving threads of a user-space log, as the kernel's rings are per CPU.
     */
    public java.util.function.IntSupplier ringPerThread() {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        ThreadLocal<Integer> mine = ThreadLocal.withInitial(() -> {
            int r = next.getAndIncrement();
            if (r >= rings) {
                throw new IllegalStateException("more serving threads than log rings (" + rings
                        + "): each thread needs a ring of its own");
            }
            return r;
        });
        return mine::get;
    }

    public int slots() {
        return slots;
    }

    public long head(int ring) {
        return (long) LONG.getAcquire(cursors, (long) ring * LOG_CURSOR_SIZE + LOG_CURSOR_HEAD);
    }

    public long tail(int ring) {
        return (long) LONG.getAcquire(cursors, (long) ring * LOG_CURSOR_SIZE + LOG_CURSOR_TAIL);
    }

    /** Frees the ring's records below {@code tail}; only the drainer calls it, once they are in the file. */
    void publishTail(int ring, long tail) {
        LONG.setRelease(cursors, (long) ring * LOG_CURSOR_SIZE + LOG_CURSOR_TAIL, tail);
    }

    /** Records appended but not drained, over all rings. */
    public long pending() {
        long n = 0;
        for (int r = 0; r < rings; r++) {
            n += head(r) - tail(r);
        }
        return n;
    }

    /** The entries segment; a record's offset is {@link #entry}. */
    MemorySegment entries() {
        return entries;
    }

    /** Byte offset of the record at position {@code pos} (a head or tail count) of ring {@code ring}. */
    long entry(int ring, long pos) {
        return ((long) ring * slots + (pos & (slots - 1))) * LOG_ENTRY_SIZE;
    }

    /**
     * Appends the LOG_APPEND request in {@code msg} to {@code ring}, as {@code log.bpf.c} does;
     * false when the ring is full. Only the ring's one producer calls it.
     */
    public boolean append(int ring, MemorySegment msg) {
        return append(ring, Header.clientId(msg), Header.seq(msg), LogMessage.key(msg), LogMessage.version(msg), msg,
                Wire.LOG_VALUE);
    }

    /**
     * Appends a record {key, version, the 40-byte value at {@code value[offset]}} with its request
     * id to {@code ring}; false when the ring is full. Only the ring's one producer calls it.
     */
    public boolean append(int ring, int clientId, long seq, long key, long version, MemorySegment value, long offset) {
        long c = (long) ring * LOG_CURSOR_SIZE;
        long head = cursors.get(JAVA_LONG, c + LOG_CURSOR_HEAD);
        if (head - (long) LONG.getAcquire(cursors, c + LOG_CURSOR_TAIL) >= slots) {
            return false;
        }
        long e = entry(ring, head);
        entries.set(JAVA_LONG, e + LOG_ENTRY_KEY, key);
        entries.set(JAVA_LONG, e + LOG_ENTRY_VERSION, version);
        MemorySegment.copy(value, offset, entries, e + LOG_ENTRY_VALUE, Wire.LOG_VALUE_SIZE);
        entries.set(JAVA_LONG, e + LOG_ENTRY_SEQ, seq);
        entries.set(JAVA_INT, e + LOG_ENTRY_CLIENT_ID, clientId);
        entries.set(JAVA_INT, e + LOG_ENTRY_CLIENT_ID + 4, 0);
        LONG.setRelease(cursors, c + LOG_CURSOR_HEAD, head + 1);
        return true;
    }
}
