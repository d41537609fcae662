package io.dint.wire;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * The digest of a set of transaction records: the sum of one term per record, each term a hash of
 * the record's key, version, existence and (when it exists) value, so that the digest does not
 * depend on the order records are visited. Replicas, a replica's replayed commit log and the
 * coordinators' committed writes are reconciled by comparing such sums, table by table.
 */
public final class RecordDigest {
    private RecordDigest() {}

    /** The term of record {@code key} at {@code version}; its value is {@code value[offset, offset + 40)} when it exists. */
    public static long term(long key, int version, boolean exists, MemorySegment value, long offset) {
        long h = Hash64.hash(key) ^ Hash64.hash(((long) version << 1) | (exists ? 1 : 0));
        if (exists) {
            for (int i = 0; i < TxnMessage.VALUE_SIZE / 8; i++) {
                h = Hash64.hash(h ^ value.get(JAVA_LONG_UNALIGNED, offset + 8L * i));
            }
        }
        return h;
    }

    /** The table a key belongs to: its top byte, as every workload tags its keys. */
    public static int table(long key) {
        return (int) (key >>> 56);
    }
}
