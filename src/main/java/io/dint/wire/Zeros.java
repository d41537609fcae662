package io.dint.wire;

import java.lang.foreign.MemorySegment;

/**
 * Clears a range of a message buffer without a slice: {@code b.asSlice(o, n).fill(0)} makes a new
 * segment per call, which only escape analysis removes, and a call site the JIT sees from many
 * callers (a test suite, a process serving several services) keeps it.
 */
public final class Zeros {
    private static final int CHUNK = 256;
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[CHUNK]);

    private Zeros() {}

    /** Sets {@code bytes} bytes of {@code b} from {@code offset} to 0. */
    public static void fill(MemorySegment b, long offset, long bytes) {
        while (bytes > 0) {
            long n = Math.min(bytes, CHUNK);
            MemorySegment.copy(ZEROS, 0, b, offset, n);
            offset += n;
            bytes -= n;
        }
    }
}
