package io.dint.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/** Accessors of {@code struct dint_txn_msg}, the transaction shard request and reply. */
public final class TxnMessage {
    private TxnMessage() {}

    public static final int SIZE = Wire.TXN_MSG_SIZE;
    public static final int VALUE_SIZE = Wire.TXN_VALUE_SIZE;

    /** Writes a request without a value (reads, locks, releases, validation); returns its length. */
    public static int encodeRequest(MemorySegment b, int op, int clientId, long seq, long key, long txnId) {
        Header.encodeRequest(b, op, clientId, seq);
        b.set(JAVA_LONG_UNALIGNED, Wire.TXN_KEY, key);
        b.set(JAVA_LONG_UNALIGNED, Wire.TXN_TXN_ID, txnId);
        b.set(JAVA_INT_UNALIGNED, Wire.TXN_VERSION, 0);
        b.set(JAVA_INT_UNALIGNED, Wire.TXN_FLAGS, 0); // flags and pad
        Zeros.fill(b, Wire.TXN_VALUE, VALUE_SIZE);
        return SIZE;
    }

    /** Writes an install (log, backup, primary): the new value and version. */
    public static int encodeInstall(MemorySegment b, int op, int clientId, long seq, long key, long txnId,
                                    int version, int flags, MemorySegment value, long valueOffset) {
        Header.encodeRequest(b, op, clientId, seq);
        b.set(JAVA_LONG_UNALIGNED, Wire.TXN_KEY, key);
        b.set(JAVA_LONG_UNALIGNED, Wire.TXN_TXN_ID, txnId);
        b.set(JAVA_INT_UNALIGNED, Wire.TXN_VERSION, version);
        b.set(JAVA_INT_UNALIGNED, Wire.TXN_FLAGS, flags & 0xff);
        MemorySegment.copy(value, valueOffset, b, Wire.TXN_VALUE, VALUE_SIZE);
        return SIZE;
    }

    public static long key(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.TXN_KEY);
    }

    public static long txnId(MemorySegment b) {
        return b.get(JAVA_LONG_UNALIGNED, Wire.TXN_TXN_ID);
    }

    public static int version(MemorySegment b) {
        return b.get(JAVA_INT_UNALIGNED, Wire.TXN_VERSION);
    }

    public static void setVersion(MemorySegment b, int version) {
        b.set(JAVA_INT_UNALIGNED, Wire.TXN_VERSION, version);
    }

    public static int flags(MemorySegment b) {
        return b.get(JAVA_BYTE, Wire.TXN_FLAGS) & 0xff;
    }

    public static void setFlags(MemorySegment b, int flags) {
        b.set(JAVA_BYTE, Wire.TXN_FLAGS, (byte) flags);
    }

    /** Copies the message's 40-byte value to {@code dst} at {@code offset}. */
    public static void copyValue(MemorySegment b, MemorySegment dst, long offset) {
        MemorySegment.copy(b, Wire.TXN_VALUE, dst, offset, VALUE_SIZE);
    }

    /** Copies 40 bytes from {@code src} at {@code offset} into the message's value. */
    public static void putValue(MemorySegment b, MemorySegment src, long offset) {
        MemorySegment.copy(src, offset, b, Wire.TXN_VALUE, VALUE_SIZE);
    }
}
