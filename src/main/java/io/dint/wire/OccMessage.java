package io.dint.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;

/** Accessors of {@code struct dint_occ_msg}, the OCC request and its reply. */
public final class OccMessage {
    private OccMessage() {}

    public static final int SIZE = Wire.OCC_MSG_SIZE;

    /** Writes a whole request (reply fields zero); returns its length. */
    public static int encodeRequest(MemorySegment b, int op, int clientId, long seq, long key, long txnId) {
        Header.encodeRequest(b, op, clientId, seq);
        b.set(JAVA_LONG_UNALIGNED, Wire.OCC_KEY, key);
        b.set(JAVA_LONG_UNALIGNED, Wire.OCC_TXN_ID, txnId);
        setState(b, 0, false, false);
        b.set(JAVA_SHORT_UNALIGNED, Wire.OCC_PAD, (short) 0);
        return SIZE;
    }

    /** Writes the reply's view of the entry: version, lock bit, and whether the asker holds it. */
    public static void setState(MemorySegment b, int version, boolean locked, boolean mine) {
        b.set(JAVA_INT_UNALIGNED, Wire.OCC_VERSION, version);
        b.set(JAVA_BYTE, Wire.OCC_LOCKED, (byte) (locked ? 1 : 0));
        b.set(JAVA_BYTE, Wire.OCC_MINE, (byte) (mine ? 1 : 0));
    }

    public static long key(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.OCC_KEY);
    }

    public static long txnId(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.OCC_TXN_ID);
    }

    public static int version(MemorySegment b) {
        return b.get(JAVA_INT_UNALIGNED, Wire.OCC_VERSION);
    }

    public static boolean locked(MemorySegment b) {
        return b.get(JAVA_BYTE, Wire.OCC_LOCKED) != 0;
    }

    public static boolean mine(MemorySegment b) {
        return b.get(JAVA_BYTE, Wire.OCC_MINE) != 0;
    }
}
