package io.dint.kv;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Handle;
import io.dint.server.Allowlist;
import io.dint.server.ServiceObject;
import io.dint.server.SlowPathObject;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * {@code kv.bpf.o} loaded: its XDP fast path, its TC egress program and its cache of 4-way
 * buckets; filled from a store before serving ({@link #prewarm}) and checked against it at
 * quiescence ({@link #check}).
 */
public record KvObject(BpfObject object, @Handle(KvObject.PROGRAM) BpfProgram xdp, @Handle(KvObject.TC_PROGRAM) BpfProgram tc,
        @Handle(KvObject.CACHE) BpfMap cache) implements SlowPathObject {
    /** The XDP program's C name. */
    public static final String PROGRAM = "kv_xdp";
    /** The TC egress program's C name. */
    public static final String TC_PROGRAM = "kv_tc_egress";
    /** The cache's C name. */
    public static final String CACHE = "kv_cache";

    /**
     * Loads the KV object with {@code buckets} buckets answering frames sent to {@code mac} (all
     * zero: any frame, for test-run fixtures) from the sources {@code allow} allows; a bucket lock
     * older than {@code leaseNanos} may be taken over.
     */
    public static KvObject load(int buckets, byte[] mac, Allowlist allow, KvPolicy policy, long leaseNanos) {
        if (leaseNanos <= 0) {
            throw new IllegalArgumentException("the bucket lock lease must be positive, got " + leaseNanos + " ns");
        }
        return ServiceObject.spec("kv", mac, buckets, allow).size(CACHE, buckets)
                .set("kv_cfg", Wire.KV_CONFIG, cfg -> {
                    cfg.set(JAVA_LONG, Wire.KV_CONFIG_LEASE_NS, leaseNanos);
                    cfg.set(JAVA_INT, Wire.KV_CONFIG_POLICY, policy.code());
                })
                .load(KvObject.class);
    }

    /**
     * Fills the kernel's cache from the store before serving: each bucket's Bloom word from all
     * its keys and up to {@link Wire#KV_WAYS} of them as clean slots — the steady state of a
     * warm cache, without a warm-up that would measure cold misses.
     */
    public void prewarm(KvStore store) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bucket = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
            for (int b = 0; b < store.buckets(); b++) {
                int link = store.first(b);
                if (link == 0) {
                    continue;
                }
                bucket.fill((byte) 0);
                bucket.set(JAVA_LONG, Wire.KV_BUCKET_BLOOM, store.bloom(b));
                for (int way = 0; way < Wire.KV_WAYS && link != 0; way++, link = store.next(link)) {
                    long slot = Wire.KV_BUCKET_SLOT + (long) way * Wire.KV_SLOT_SIZE;
                    store.copyObject(link, bucket, slot + Wire.KV_SLOT_OBJ);
                    bucket.set(JAVA_BYTE, slot + Wire.KV_SLOT_VALID, (byte) 1);
                }
                cache.update(b, bucket);
            }
        }
    }

    /**
     * Compares the kernel's cache with the store, bucket by bucket (at quiescence): buckets still
     * locked, clean slots that differ from the store, dirty slots older than the store, and keys
     * (stored or cached) whose Bloom bit is missing — which would answer a false NOT_EXIST.
     */
    public Map<String, Object> check(KvStore store) {
        Tally t = new Tally(store);
        try (CacheBuckets buckets = new CacheBuckets(cache)) {
            for (int b = 0; b < store.buckets(); b++) {
                buckets.read(b);
                store.lock(b);
                try {
                    t.bucket(buckets, b);
                } finally {
                    store.unlock(b);
                }
            }
        } finally {
            t.arena.close();
        }
        Map<String, Object> m = KvService.describe(store);
        m.put("locked_buckets", t.locked);
        m.put("cached", t.cached);
        m.put("dirty", t.dirty);
        m.put("stale_clean", t.staleClean);
        m.put("dirty_behind", t.dirtyBehind);
        m.put("bloom_missing", t.bloomMissing);
        m.put("ok", t.locked == 0 && t.staleClean == 0 && t.dirtyBehind == 0 && t.bloomMissing == 0);
        return m;
    }

    /** What {@link #check} counts, bucket by bucket. */
    private static final class Tally {
        final KvStore store;
        final Arena arena = Arena.ofConfined();
        final MemorySegment stored = arena.allocate(Wire.KV_OBJECT_SIZE, 8);
        long locked, cached, dirty, staleClean, dirtyBehind, bloomMissing;
        /** The Bloom bits the bucket being counted needs: its stored keys' and its cached keys'. */
        long needed;

        Tally(KvStore store) {
            this.store = store;
        }

        void bucket(CacheBuckets buckets, int b) {
            MemorySegment bucket = buckets.bucket();
            locked += buckets.locked() ? 1 : 0;
            needed = store.bloom(b);
            buckets.forEachSlot((o, isDirty) -> {
                cached++;
                long key = bucket.get(JAVA_LONG, o + Wire.KV_OBJECT_KEY);
                long version = bucket.get(JAVA_LONG, o + Wire.KV_OBJECT_VERSION);
                needed |= KvStore.bloomBit(key);
                int link = store.find(b, key);
                if (isDirty) {
                    dirty++;
                    dirtyBehind += link != 0 && store.version(link) > version ? 1 : 0;
                } else if (link == 0) {
                    staleClean++;
                } else {
                    store.copyObject(link, stored, 0);
                    staleClean += stored.mismatch(bucket.asSlice(o, Wire.KV_OBJECT_SIZE)) != -1 ? 1 : 0;
                }
            });
            bloomMissing += (needed & ~buckets.bloom()) != 0 ? 1 : 0;
        }
    }
}
