package io.dint.shard;

import static io.dint.shard.RecordTable.FLAGS;
import static io.dint.shard.RecordTable.VALUE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;

/**
 * Records as the kernel shard's cache holds them, for the xdp backend's slow path: a cache object
 * {@code {key, version | TXN_OBJ_EXISTS, value}} ({@code struct dint_kv_obj}) installed into a
 * record, or a record written out as one. No locks (the kernel keeps them), no dedup.
 */
final class RecordObjects {
    private RecordObjects() {}

    /**
     * Installs the cache object at {@code obj} in {@code src} into {@code t} as an install request
     * is (creating the record), and with {@code answer} writes the record as it then is back over
     * the object. Returns the install's status, or NO_SPACE when the table is full.
     */
    static int install(RecordTable t, MemorySegment src, long obj, boolean answer) {
        long key = src.get(JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_KEY);
        long version = src.get(JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_VERSION);
        long r = key == 0 ? -1 : t.find(key, true);
        if (r < 0) {
            return Status.NO_SPACE;
        }
        t.spin(r);
        try {
            int status = Installs.ifNewer(t, r, (int) version, (version & Wire.TXN_OBJ_EXISTS) != 0, src, obj + Wire.KV_OBJECT_VALUE);
            if (answer) {
                write(t, r, key, src, obj);
            }
            return status;
        } finally {
            t.unspin(r);
        }
    }

    /**
     * Fills the reply's version, value and existence flag (the other flags kept) with key's record
     * and writes the record as a cache object at {@code obj} in the reply's trailer; false, leaving
     * both as they were, when there is no record.
     */
    static boolean read(RecordTable t, long key, MemorySegment buf, long obj) {
        long r = t.find(key, false);
        if (r < 0) {
            return false;
        }
        MemorySegment m = t.memory();
        t.spin(r);
        try {
            TxnMessage.setVersion(buf, t.versionAt(r));
            TxnMessage.setFlags(buf, (TxnMessage.flags(buf) & ~Wire.TXN_F_EXISTS) | m.get(JAVA_INT, r + FLAGS));
            TxnMessage.putValue(buf, m, r + VALUE);
            write(t, r, key, buf, obj);
        } finally {
            t.unspin(r);
        }
        return true;
    }

    /** Writes record r (of key; spin held) as a cache object at {@code obj} in {@code dst}. */
    private static void write(RecordTable t, long r, long key, MemorySegment dst, long obj) {
        long exists = t.existsAt(r) ? Wire.TXN_OBJ_EXISTS : 0;
        dst.set(JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_KEY, key);
        dst.set(JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_VERSION, Integer.toUnsignedLong(t.versionAt(r)) | exists);
        MemorySegment.copy(t.memory(), r + VALUE, dst, obj + Wire.KV_OBJECT_VALUE, TxnMessage.VALUE_SIZE);
    }
}
