package io.dint.kv;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.server.Allowlist;
import io.dint.server.XdpServer;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads {@code kv.bpf.o} (XDP fast path and TC egress program) with a cache of a given bucket
 * count and policy, fills it from a store, and checks it against the store at quiescence.
 */
public final class KvObjects {
    private KvObjects() {}

    public static final String PROGRAM = "kv_xdp";
    public static final String TC_PROGRAM = "kv_tc_egress";
    public static final String CACHE = "kv_cache";

    /**
     * Opens and loads the KV object with {@code buckets} buckets answering frames sent to
     * {@code mac} (all zero: any frame, for test-run fixtures) from the sources {@code allow}
     * allows; a bucket lock older than
     * {@code leaseNanos} may be taken over.
     */
    public static BpfObject load(int buckets, byte[] mac, Allowlist allow, KvPolicy policy, long leaseNanos) {
        if (leaseNanos <= 0) {
            throw new IllegalArgumentException("the bucket lock lease must be positive, got " + leaseNanos + " ns");
        }
        BpfObject obj = BpfObject.openBundled("kv");
        try {
            obj.map(CACHE).setMaxEntries(buckets);
            XdpServer.configure(obj, mac, buckets, allow);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cfg = arena.allocate(Wire.KV_CONFIG);
                cfg.set(JAVA_LONG, Wire.KV_CONFIG_LEASE_NS, leaseNanos);
                cfg.set(JAVA_INT, Wire.KV_CONFIG_POLICY, policy.code());
                obj.map(".rodata.kv").setInitialValue(cfg);
            }
            obj.load();
            allow.fill(obj);
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /**
     * Fills the kernel's cache from the store before serving: each bucket's Bloom word from all
     * its keys and up to {@link Wire#KV_WAYS} of them as clean slots — the steady state of a
     * warm cache, without a warm-up that would measure cold misses.
     */
    public static void prewarm(BpfObject obj, KvStore store) {
        BpfMap cache = obj.map(CACHE);
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
    public static Map<String, Object> check(BpfObject obj, KvStore store) {
        BpfMap cache = obj.map(CACHE);
        long locked = 0, cached = 0, dirty = 0, staleClean = 0, dirtyBehind = 0, bloomMissing = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bucket = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
            MemorySegment stored = arena.allocate(Wire.KV_OBJECT_SIZE, 8);
            for (int b = 0; b < store.buckets(); b++) {
                cache.lookup(b, bucket);
                store.lock(b);
                try {
                    locked += bucket.get(JAVA_LONG, Wire.KV_BUCKET_LOCK) != 0 ? 1 : 0;
                    long bloom = bucket.get(JAVA_LONG, Wire.KV_BUCKET_BLOOM);
                    long needed = store.bloom(b);
                    for (int way = 0; way < Wire.KV_WAYS; way++) {
                        long slot = Wire.KV_BUCKET_SLOT + (long) way * Wire.KV_SLOT_SIZE;
                        if (bucket.get(JAVA_BYTE, slot + Wire.KV_SLOT_VALID) == 0) {
                            continue;
                        }
                        cached++;
                        long o = slot + Wire.KV_SLOT_OBJ;
                        long key = bucket.get(JAVA_LONG, o + Wire.KV_OBJECT_KEY);
                        long version = bucket.get(JAVA_LONG, o + Wire.KV_OBJECT_VERSION);
                        needed |= KvStore.bloomBit(key);
                        int link = store.find(b, key);
                        if (bucket.get(JAVA_BYTE, slot + Wire.KV_SLOT_DIRTY) != 0) {
                            dirty++;
                            dirtyBehind += link != 0 && store.version(link) > version ? 1 : 0;
                        } else if (link == 0) {
                            staleClean++;
                        } else {
                            store.copyObject(link, stored, 0);
                            staleClean += stored.mismatch(bucket.asSlice(o, Wire.KV_OBJECT_SIZE)) != -1 ? 1 : 0;
                        }
                    }
                    bloomMissing += (needed & ~bloom) != 0 ? 1 : 0;
                } finally {
                    store.unlock(b);
                }
            }
        }
        Map<String, Object> m = KvService.describe(store);
        m.put("locked_buckets", locked);
        m.put("cached", cached);
        m.put("dirty", dirty);
        m.put("stale_clean", staleClean);
        m.put("dirty_behind", dirtyBehind);
        m.put("bloom_missing", bloomMissing);
        m.put("ok", locked == 0 && staleClean == 0 && dirtyBehind == 0 && bloomMissing == 0);
        return m;
    }
}
