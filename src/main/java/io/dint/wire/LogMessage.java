package io.dint.wire;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/** Accessors of {@code struct dint_log_msg}, the LOG_APPEND request and its reply. */
public final class LogMessage {
    private LogMessage() {}

    public static final int SIZE = Wire.LOG_MSG_SIZE;
    /** The value is written and read as this many little-endian longs. */
    public static final int VALUE_WORDS = Wire.LOG_VALUE_SIZE / 8;

    /** Writes a request's header, key and version; the value is written with {@link #setValueWord}. Returns its length. */
    public static int encodeRequest(MemorySegment b, int clientId, long seq, long key, long version) {
        Header.encodeRequest(b, Op.LOG_APPEND, clientId, seq);
        b.set(JAVA_LONG_UNALIGNED, Wire.LOG_KEY, key);
        b.set(JAVA_LONG_UNALIGNED, Wire.LOG_VERSION, version);
        return SIZE;
    }

    public static void setValueWord(MemorySegment b, int i, long word) {
        b.set(JAVA_LONG_UNALIGNED, Wire.LOG_VALUE + 8L * i, word);
    }

    public static long key(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.LOG_KEY);
    }

    public static long version(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.LOG_VERSION);
    }

    public static long valueWord(MemorySegment b, int i) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.LOG_VALUE + 8L * i);
    }
}
