package io.dint.shard;

import io.dint.server.DatagramService;
import io.dint.wire.Hash64;
import io.dint.wire.Header;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import io.dint.wire.Zeros;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * The slow path of a shard served in XDP: what the kernel's cache could not answer, a
 * transaction request followed by the {@code struct dint_kv_slow} the program appended. It writes
 * the dirty victim back into the store, serves the request against the store's records — a read
 * or a granted lock gets the record, an install is answered APPLIED, ALREADY_APPLIED or REFUSED as
 * {@link ShardStore} answers it — and answers with the
 * record in the trailer's object for the TC egress program to install in the named slot. Locks
 * and the log never come here: the kernel keeps them.
 */
public final class ShardSlowPath implements DatagramService, AutoCloseable {
    /** A slow-path request or reply: the message and its trailer. */
    public static final int SIZE = TxnMessage.SIZE + Wire.KV_SLOW_SIZE;
    private static final int BUCKET = TxnMessage.SIZE + Wire.KV_SLOW_BUCKET;
    private static final int FLAGS = TxnMessage.SIZE + Wire.KV_SLOW_FLAGS;
    private static final int OBJECT = TxnMessage.SIZE + Wire.KV_SLOW_VICTIM;

    private final ShardStore store;
    private final RecordTable records;
    private final int buckets;

    /**
     * @param store   every record of the shard; closed with this service
     * @param buckets the kernel cache's bucket count, which names the bucket of each request
     */
    public ShardSlowPath(ShardStore store, int buckets) {
        if (buckets <= 0) {
            throw new IllegalArgumentException("cache buckets must be positive, got " + buckets);
        }
        this.store = store;
        this.records = store.records();
        this.buckets = buckets;
    }

    @Override
    public int serve(MemorySegment buf, int len, long[] stats) {
        stats[Stat.RX]++;
        if (len != SIZE) {
            stats[len < SIZE ? Stat.DROP_TRUNCATED : Stat.DROP_BAD_LENGTH]++;
            return -1;
        }
        int op = Header.op(buf);
        long key = TxnMessage.key(buf);
        int flags = buf.get(ValueLayout.JAVA_BYTE, FLAGS) & 0xff;
        int bucket = buf.get(ValueLayout.JAVA_INT_UNALIGNED, BUCKET);
        if (ShardOps.malformed(buf, op, key) || ShardOps.isLog(op) || ShardOps.isRelease(op) || (flags & ~Wire.KV_VICTIM) != 0
                || bucket != bucketOf(key)
                // the kernel's victim is a record of the same bucket: anything else is not from it
                || ((flags & Wire.KV_VICTIM) != 0 && bucketOf(buf.get(ValueLayout.JAVA_LONG_UNALIGNED, OBJECT + Wire.KV_OBJECT_KEY)) != bucket)) {
            stats[Stat.DROP_BAD_OP]++;
            return -1;
        }
        if ((flags & Wire.KV_VICTIM) != 0) {
            stats[Stat.KV_WRITEBACK]++;
            if (RecordObjects.install(records, buf, OBJECT, false) == Status.NO_SPACE) {
                stats[Stat.DROP_BAD_OP]++; // no room for a record the kernel held: it stays dirty up there
                flags &= ~Wire.KV_VICTIM;
            }
        }
        int status;
        boolean present;
        if (ShardOps.isInstall(op)) {
            boolean delete = ShardOps.isDelete(op);
            long version = Integer.toUnsignedLong(TxnMessage.version(buf)) | (delete ? 0 : Wire.TXN_OBJ_EXISTS);
            // the request as a cache object: key, version | exists, value (zeros for a delete)
            buf.set(ValueLayout.JAVA_LONG_UNALIGNED, OBJECT + Wire.KV_OBJECT_KEY, key);
            buf.set(ValueLayout.JAVA_LONG_UNALIGNED, OBJECT + Wire.KV_OBJECT_VERSION, version);
            if (delete) {
                Zeros.fill(buf, OBJECT + Wire.KV_OBJECT_VALUE, TxnMessage.VALUE_SIZE);
            } else {
                MemorySegment.copy(buf, Wire.TXN_VALUE, buf, OBJECT + Wire.KV_OBJECT_VALUE, TxnMessage.VALUE_SIZE);
            }
            status = RecordObjects.install(records, buf, OBJECT, true);
            present = status != Status.NO_SPACE;
            if (present) {
                // the reply's version is the record's after the request, as the kernel answers
                TxnMessage.setVersion(buf, (int) buf.get(ValueLayout.JAVA_LONG_UNALIGNED, OBJECT + Wire.KV_OBJECT_VERSION));
            }
        } else {
            present = RecordObjects.read(records, key, buf, OBJECT);
            if (!present) {
                TxnMessage.setVersion(buf, 0);
                TxnMessage.setFlags(buf, TxnMessage.flags(buf) & Wire.TXN_F_LOCKED);
                Zeros.fill(buf, Wire.TXN_VALUE, TxnMessage.VALUE_SIZE);
            }
            status = ShardOps.isRead(op) ? Status.OK : Status.GRANT;
        }
        if (present) {
            flags |= Wire.KV_INSTALL; // the record is in the trailer's object
        }
        buf.set(ValueLayout.JAVA_BYTE, FLAGS, (byte) flags);
        Header.setStatus(buf, status);
        stats[Stat.TX]++;
        return len;
    }

    private long bucketOf(long key) {
        return Long.remainderUnsigned(Hash64.hash(key), buckets);
    }

    @Override
    public Map<String, Object> check() {
        return store.check();
    }

    @Override
    public void close() {
        store.close();
    }
}
