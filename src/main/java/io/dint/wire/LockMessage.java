package io.dint.wire;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/** Accessors of {@code struct dint_lock_msg}, the 2PL lock request and its reply. */
public final class LockMessage {
    private LockMessage() {}

    public static final int SIZE = Wire.LOCK_MSG_SIZE;

    /** Writes a whole request; returns its length. */
    public static int encodeRequest(MemorySegment b, int op, int clientId, long seq, long lockId, long txnId) {
        Header.encodeRequest(b, op, clientId, seq);
        b.set(JAVA_LONG_UNALIGNED, Wire.LOCK_LOCK_ID, lockId);
        b.set(JAVA_LONG_UNALIGNED, Wire.LOCK_TXN_ID, txnId);
        return SIZE;
    }

    public static long lockId(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.LOCK_LOCK_ID);
    }

    public static long txnId(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.LOCK_TXN_ID);
    }
}
