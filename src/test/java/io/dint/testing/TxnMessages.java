package io.dint.testing;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.wire.Header;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;

/**
 * Transaction-shard messages as bytes, for fixtures and parity tests: a record's value is one
 * word (at its start, its complement at byte 32, so that a value copied in part shows), and a
 * reply reads in one line ({@link #describe}).
 */
public final class TxnMessages {
    private TxnMessages() {}

    /** A read, lock or release of {@code key} by {@code txn}. */
    public static byte[] request(int op, int client, long seq, long key, long txn) {
        byte[] b = new byte[TxnMessage.SIZE];
        TxnMessage.encodeRequest(MemorySegment.ofArray(b), op, client, seq, key, txn);
        return b;
    }

    /** A LOG or install of {@code key} at {@code version} with {@code flags}, its value {@code word}. */
    public static byte[] install(int op, int client, long seq, long key, long txn, int version, int flags, long word) {
        byte[] b = new byte[TxnMessage.SIZE];
        MemorySegment value = MemorySegment.ofArray(new byte[TxnMessage.VALUE_SIZE]);
        value.set(JAVA_LONG_UNALIGNED, 0, word);
        value.set(JAVA_LONG_UNALIGNED, 32, ~word);
        TxnMessage.encodeInstall(MemorySegment.ofArray(b), op, client, seq, key, txn, version, flags, value, 0);
        return b;
    }

    /** A copy of a LOG with the epoch of its sender's grants at the shard (the header's reserved field). */
    public static byte[] withGrantEpoch(byte[] log, int epoch) {
        byte[] b = log.clone();
        Header.setReserved(MemorySegment.ofArray(b), epoch);
        return b;
    }

    /** The value's first word. */
    public static long word(byte[] msg) {
        return MemorySegment.ofArray(msg).get(JAVA_LONG_UNALIGNED, Wire.TXN_VALUE);
    }

    /** The shard's epoch a reply carries (the header's reserved field). */
    public static int epoch(byte[] msg) {
        return Header.reserved(MemorySegment.ofArray(msg));
    }

    /**
     * "GRANT v1 exists locked w100": a reply in one line — status, version, each flag (exists,
     * locked, unlock) and the value's first word unless 0 — for assertions that read like the protocol.
     */
    public static String describe(byte[] msg) {
        MemorySegment m = MemorySegment.ofArray(msg);
        int f = TxnMessage.flags(m);
        long w = word(msg);
        return Status.name(Header.status(m)) + " v" + TxnMessage.version(m) + ((f & Wire.TXN_F_EXISTS) != 0 ? " exists" : "")
                + ((f & Wire.TXN_F_LOCKED) != 0 ? " locked" : "") + ((f & Wire.TXN_F_UNLOCK) != 0 ? " unlock" : "")
                + (w != 0 ? " w" + w : "");
    }
}
