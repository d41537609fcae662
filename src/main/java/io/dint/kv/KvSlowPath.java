package io.dint.kv;

import io.dint.server.DatagramService;
import io.dint.wire.Header;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The XDP backend's slow path: serves what the kernel's cache passed up, a request followed by
 * its {@code struct dint_kv_slow}. It writes the dirty victim back, applies the request to the
 * store and answers with the trailer telling the TC egress program what to do: install the object
 * in the chosen slot, or drop the deleted key and take the bucket's rebuilt Bloom word. A request
 * whose bucket lock was since taken over by one already served is answered RETRY and changes
 * nothing (the kernel's lease is the order).
 */
public final class KvSlowPath implements DatagramService, AutoCloseable {
    private final KvStore store;
    private final AtomicInteger dropReplies;

    /**
     * @param store       every key; closed with this service
     * @param dropReplies replies to drop after serving, as if lost on the way (for tests of the lease)
     */
    public KvSlowPath(KvStore store, int dropReplies) {
        if (dropReplies < 0) {
            throw new IllegalArgumentException("replies to drop must be >= 0, got " + dropReplies);
        }
        this.store = store;
        this.dropReplies = new AtomicInteger(dropReplies);
    }

    @Override
    public int serve(MemorySegment buf, int len, long[] stats) {
        int op = KvService.checkRequest(buf, len, KvMessage.SLOW_SIZE, stats);
        if (op < 0) {
            return -1;
        }
        int bucket = KvMessage.bucket(buf);
        int victim = KvMessage.flags(buf) & Wire.KV_VICTIM;
        if (bucket < 0 || bucket >= store.buckets() || bucket != store.bucketOf(KvMessage.key(buf))
                || (victim != 0 && store.bucketOf(buf.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED,
                        KvMessage.VICTIM + Wire.KV_OBJECT_KEY)) != bucket)) {
            stats[Stat.DROP_BAD_OP]++;
            return -1;
        }
        int status;
        int flags = 0;
        long bloom = 0;
        store.lock(bucket);
        try {
            if (!store.admitLease(bucket, KvMessage.lease(buf))) {
                status = Status.RETRY;
            } else {
                if (victim != 0) {
                    store.writeBack(bucket, buf, KvMessage.VICTIM);
                    flags = Wire.KV_VICTIM;
                }
                status = store.apply(bucket, op, buf, KvMessage.OBJ);
                if (op == Op.KV_DELETE) {
                    flags |= Wire.KV_INVALIDATE;
                    bloom = store.bloom(bucket);
                } else if (status == Status.KV_OK && KvMessage.way(buf) < Wire.KV_WAYS) {
                    flags |= Wire.KV_INSTALL;
                }
            }
        } finally {
            store.unlock(bucket);
        }
        Header.setStatus(buf, status);
        KvMessage.setFlags(buf, flags);
        KvMessage.setBloom(buf, bloom);
        if (dropReplies.get() > 0 && dropReplies.getAndDecrement() > 0) {
            return -1;
        }
        stats[Stat.TX]++;
        return len;
    }

    @Override
    public Map<String, Object> check() {
        return KvService.describe(store);
    }

    @Override
    public void close() {
        store.close();
    }
}
