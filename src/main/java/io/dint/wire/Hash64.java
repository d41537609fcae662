package io.dint.wire;

/** fasthash64 of one 64-bit key: the Java twin of {@code dint_hash64} in {@code dint_hash.h}. */
public final class Hash64 {
    private Hash64() {}

    static final long SEED = 0xdeadbeefcafef00dL;
    private static final long M = 0x880355f21e6d1965L;

    private static long mix(long h) {
        h ^= h >>> 23;
        h *= 0x2127599bf4325c37L;
        h ^= h >>> 47;
        return h;
    }

    public static long hash(long key) {
        long h = SEED ^ (8 * M);
        h ^= mix(key);
        h *= M;
        return mix(h);
    }

    /** {@code hash(key) % size} with the unsigned modulo the C side uses. */
    public static int index(long key, int size) {
        return (int) Long.remainderUnsigned(hash(key), size);
    }
}
