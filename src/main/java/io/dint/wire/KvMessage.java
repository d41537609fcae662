package io.dint.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * Accessors of {@code struct dint_kv_msg}, the KV request and its reply, and of the
 * {@code struct dint_kv_slow} that follows it on the way to and from the slow path.
 */
public final class KvMessage {
    private KvMessage() {}

    public static final int SIZE = Wire.KV_MSG_SIZE;
    /** A message with its slow-path trailer. */
    public static final int SLOW_SIZE = Wire.KV_MSG_SIZE + Wire.KV_SLOW_SIZE;
    /** Offset of the message's {@code struct dint_kv_object}. */
    public static final int OBJ = Wire.KV_MSG_OBJ;
    public static final int KEY = OBJ + Wire.KV_OBJECT_KEY;
    public static final int VERSION = OBJ + Wire.KV_OBJECT_VERSION;
    public static final int VALUE = OBJ + Wire.KV_OBJECT_VALUE;
    /** Offset of the trailer's victim object. */
    public static final int VICTIM = SIZE + Wire.KV_SLOW_VICTIM;

    /** Writes a request with a zero version and value; returns its length. */
    public static int encodeRequest(MemorySegment b, int op, int clientId, long seq, long key) {
        Header.encodeRequest(b, op, clientId, seq);
        b.set(JAVA_LONG_UNALIGNED, KEY, key);
        b.set(JAVA_LONG_UNALIGNED, VERSION, 0L);
        for (int i = 0; i < Wire.KV_VALUE_SIZE; i += 8) { // no slice: nothing to allocate whatever the JIT inlines
            b.set(JAVA_LONG_UNALIGNED, VALUE + i, 0L);
        }
        return SIZE;
    }

    public static long key(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, KEY);
    }

    public static long version(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, VERSION);
    }

    /** The first 8 bytes of the value. */
    public static long valueWord(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, VALUE);
    }

    public static void setValueWord(MemorySegment b, int index, long word) {
        b.set(JAVA_LONG_UNALIGNED, VALUE + 8L * index, word);
    }

    public static long lease(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, SIZE + Wire.KV_SLOW_LEASE);
    }

    public static int bucket(MemorySegment b) {
        return b.get(JAVA_INT_UNALIGNED, SIZE + Wire.KV_SLOW_BUCKET);
    }

    public static int way(MemorySegment b) {
        return b.get(JAVA_BYTE, SIZE + Wire.KV_SLOW_WAY) & 0xff;
    }

    public static int flags(MemorySegment b) {
        return b.get(JAVA_BYTE, SIZE + Wire.KV_SLOW_FLAGS) & 0xff;
    }

    public static void setFlags(MemorySegment b, int flags) {
        b.set(JAVA_BYTE, SIZE + Wire.KV_SLOW_FLAGS, (byte) flags);
    }

    public static long bloom(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, SIZE + Wire.KV_SLOW_BLOOM);
    }

    public static void setBloom(MemorySegment b, long bloom) {
        b.set(JAVA_LONG_UNALIGNED, SIZE + Wire.KV_SLOW_BLOOM, bloom);
    }
}
