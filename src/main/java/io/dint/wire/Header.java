package io.dint.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * Accessors of {@code struct dint_hdr} over a message buffer: static, so reading or writing a
 * message allocates nothing. Every service message starts with this header.
 */
public final class Header {
    private Header() {}

    /** Writes a request header: op, status REQUEST, reserved 0, client id, seq. */
    public static void encodeRequest(MemorySegment b, int op, int clientId, long seq) {
        b.set(JAVA_BYTE, Wire.HDR_OP, (byte) op);
        b.set(JAVA_BYTE, Wire.HDR_STATUS, (byte) Status.REQUEST);
        b.set(JAVA_SHORT_UNALIGNED, Wire.HDR_RESERVED, (short) 0);
        b.set(JAVA_INT_UNALIGNED, Wire.HDR_CLIENT_ID, clientId);
        b.set(JAVA_LONG_UNALIGNED, Wire.HDR_SEQ, seq);
    }

    public static int op(MemorySegment b) {
        return b.get(JAVA_BYTE, Wire.HDR_OP) & 0xff;
    }

    public static int status(MemorySegment b) {
        return b.get(JAVA_BYTE, Wire.HDR_STATUS) & 0xff;
    }

    public static void setStatus(MemorySegment b, int status) {
        b.set(JAVA_BYTE, Wire.HDR_STATUS, (byte) status);
    }

    /** The reserved field: a transaction shard's epoch in its replies, the epoch of the sender's grants in a LOG (16 bits). */
    public static int reserved(MemorySegment b) {
        return b.get(JAVA_SHORT_UNALIGNED, Wire.HDR_RESERVED) & 0xffff;
    }

    public static void setReserved(MemorySegment b, int value) {
        b.set(JAVA_SHORT_UNALIGNED, Wire.HDR_RESERVED, (short) value);
    }

    public static int clientId(MemorySegment b) {
        return b.get(JAVA_INT_UNALIGNED, Wire.HDR_CLIENT_ID);
    }

    public static long seq(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.HDR_SEQ);
    }
}
