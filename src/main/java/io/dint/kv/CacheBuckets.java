package io.dint.kv;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.bpf.BpfMap;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The kernel's cache read bucket by bucket — {@code struct dint_kv_bucket}: a lock word, a Bloom
 * word and {@link Wire#KV_WAYS} slots of {valid, dirty, object}, the same in {@code kv.bpf.c} and
 * {@code shard.bpf.c} — for the checks and write-backs that scan it from Java.
 */
public final class CacheBuckets implements AutoCloseable {
    /** One valid slot of the bucket read last. */
    @FunctionalInterface
    public interface SlotVisitor {
        /**
         * @param object where the slot's {@code struct dint_kv_object} starts in {@link #bucket()}
         * @param dirty  whether the slot holds a write not yet written back
         */
        void slot(long object, boolean dirty);
    }

    private final BpfMap cache;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment bucket = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
    private final MemorySegment again = arena.allocate(Wire.KV_BUCKET_SIZE, 8);

    public CacheBuckets(BpfMap cache) {
        this.cache = cache;
    }

    /**
     * Reads bucket {@code b}, again until two reads agree, so that a bucket XDP is writing is not
     * taken half written; returns {@link #bucket()}.
     */
    public MemorySegment read(int b) {
        cache.lookup(b, bucket);
        for (int tries = 0; tries < 1000; tries++) {
            cache.lookup(b, again);
            if (bucket.mismatch(again) < 0) {
                break;
            }
            MemorySegment.copy(again, 0, bucket, 0, Wire.KV_BUCKET_SIZE);
        }
        return bucket;
    }

    /** The bucket read last. */
    public MemorySegment bucket() {
        return bucket;
    }

    /** Whether the bucket read last is locked (a slow-path fetch in flight). */
    public boolean locked() {
        return bucket.get(JAVA_LONG, Wire.KV_BUCKET_LOCK) != 0;
    }

    /** The Bloom word of the bucket read last: a bit set for every key the bucket may hold. */
    public long bloom() {
        return bucket.get(JAVA_LONG, Wire.KV_BUCKET_BLOOM);
    }

    /** Calls {@code visitor} for each valid slot of the bucket read last, in way order. */
    public void forEachSlot(SlotVisitor visitor) {
        for (int way = 0; way < Wire.KV_WAYS; way++) {
            long slot = Wire.KV_BUCKET_SLOT + (long) way * Wire.KV_SLOT_SIZE;
            if (bucket.get(JAVA_BYTE, slot + Wire.KV_SLOT_VALID) != 0) {
                visitor.slot(slot + Wire.KV_SLOT_OBJ, bucket.get(JAVA_BYTE, slot + Wire.KV_SLOT_DIRTY) != 0);
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
