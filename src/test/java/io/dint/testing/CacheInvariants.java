package io.dint.testing;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.bpf.BpfMap;
import io.dint.wire.Hash64;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What must hold of an in-kernel cache ({@code struct dint_kv_bucket} array: the KV store's and a
 * shard's) whenever no slow-path request is in flight: no bucket locked, every cached key in its
 * own bucket, once, with its Bloom bit set.
 */
public final class CacheInvariants {
    private CacheInvariants() {}

    /** Every violation found in the first {@code buckets} buckets of {@code cache}, described. */
    public static List<String> violations(BpfMap cache, int buckets) {
        List<String> found = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
            for (int i = 0; i < buckets; i++) {
                cache.lookup(i, b);
                if (b.get(JAVA_LONG, Wire.KV_BUCKET_LOCK) != 0) {
                    found.add("bucket " + i + " locked");
                }
                long bloom = b.get(JAVA_LONG, Wire.KV_BUCKET_BLOOM);
                Set<Long> keys = new HashSet<>();
                for (int way = 0; way < Wire.KV_WAYS; way++) {
                    long slot = Wire.KV_BUCKET_SLOT + (long) way * Wire.KV_SLOT_SIZE;
                    if (b.get(JAVA_BYTE, slot + Wire.KV_SLOT_VALID) == 0) {
                        continue;
                    }
                    long key = b.get(JAVA_LONG, slot + Wire.KV_SLOT_OBJ + Wire.KV_OBJECT_KEY);
                    long hash = Hash64.hash(key);
                    if (Long.remainderUnsigned(hash, buckets) != i) {
                        found.add("bucket " + i + " way " + way + " caches key " + Long.toHexString(key) + " of another bucket");
                    }
                    if ((bloom & (1L << (hash >>> 58))) == 0) {
                        found.add("bucket " + i + " way " + way + ": key " + Long.toHexString(key) + " without its Bloom bit");
                    }
                    if (!keys.add(key)) {
                        found.add("bucket " + i + " caches key " + Long.toHexString(key) + " twice");
                    }
                }
            }
        }
        return found;
    }
}
