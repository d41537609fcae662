package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.bpf.BpfFs;
import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Handle;
import io.dint.kv.CacheBuckets;
import io.dint.log.LogRingMaps;
import io.dint.server.Allowlist;
import io.dint.server.ServiceObject;
import io.dint.server.SlowPathObject;
import io.dint.wire.Hash64;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code shard.bpf.o} loaded: XDP ingress (records from the kernel's cache, locks, log appends)
 * and TC egress (what the slow path fetched goes into the cache), and the maps Java reads — the
 * cache, the lock table, the shard's epoch state and the log rings. With a pin directory every
 * map the programs keep is pinned there, so that a restarted slow path takes them over.
 */
public record ShardObject(BpfObject object, @Handle(ShardObject.PROGRAM) BpfProgram xdp, @Handle(ShardObject.TC_PROGRAM) BpfProgram tc,
        @Handle(CACHE) BpfMap cache, @Handle(LOCKS) BpfMap locks, @Handle(STATE) BpfMap state,
        @Handle(LogRingMaps.RING) BpfMap ring, @Handle(LogRingMaps.CURSOR) BpfMap cursor) implements SlowPathObject, LogRingMaps {
    /** The XDP program's C name. */
    public static final String PROGRAM = "shard_xdp";
    /** The TC egress program's C name. */
    public static final String TC_PROGRAM = "shard_tc_egress";
    /** The cache's C name. */
    public static final String CACHE = "shard_cache";
    static final String LOCKS = "lock_table";
    static final String STATE = "shard_state";
    /** The maps a slow-path restart takes over: everything the XDP and TC programs keep. */
    private static final String[] PINNED_MAPS = {CACHE, LOCKS, "dedup", LogRingMaps.RING, LogRingMaps.CURSOR, STATE, "pinned", "stats"};

    /**
     * Loads the shard object: a cache of {@code buckets} 4-way buckets, a lock table of {@code
     * lockEntries}, log rings of {@code logSlots} records per CPU, bucket locks leased for {@code
     * leaseNanos}, transaction locks leased for {@code lockLeaseMs} (0: no lease), answering frames
     * sent to {@code mac} (all zero: any frame, for fixtures) from the sources {@code allow} allows.
     * The epoch is 0 until {@link #setEpoch}. With a {@code pinDir}, every map is pinned there — or
     * the maps already pinned there are taken over, as a restarted slow path does while the XDP
     * program it left keeps serving.
     */
    public static ShardObject load(int buckets, int lockEntries, int logSlots, long leaseNanos, int lockLeaseMs, byte[] mac,
                                   Allowlist allow, Path pinDir) {
        if (buckets <= 0 || lockEntries <= 0) {
            throw new IllegalArgumentException("cache buckets and lock entries must be positive, got " + buckets
                    + " and " + lockEntries);
        }
        if (leaseNanos <= 0) {
            throw new IllegalArgumentException("the bucket lock lease must be positive, got " + leaseNanos + " ns");
        }
        return LogRingMaps.sized(ServiceObject.spec("shard", mac, lockEntries, allow), logSlots)
                .size(CACHE, buckets).size(LOCKS, lockEntries)
                .set("shard_cfg", Wire.SHARD_CONFIG, cfg -> {
                    cfg.set(JAVA_LONG, Wire.SHARD_CONFIG_LEASE_NS, leaseNanos);
                    cfg.set(JAVA_INT, Wire.SHARD_CONFIG_BUCKETS, buckets);
                    cfg.set(JAVA_INT, Wire.SHARD_CONFIG_LOG_SLOTS, logSlots);
                    cfg.set(JAVA_INT, Wire.SHARD_CONFIG_LOCK_LEASE_MS, lockLeaseMs);
                })
                .pin(pinDir, PINNED_MAPS)
                .load(ShardObject.class);
    }

    /** Where the maps of a shard pinned as {@code name} live (a slow-path restart takes them over). */
    public static Path pinDir(String name) {
        return BpfFs.pinRoot().resolve("shard-" + name);
    }

    /** True when {@code pinDir} holds the maps of a shard whose slow path was killed. */
    public static boolean pinned(Path pinDir) {
        return pinDir != null && Files.exists(pinDir.resolve(CACHE));
    }

    /** The cache's bucket count. */
    public int buckets() {
        return cache.maxEntries();
    }

    /**
     * Sets the shard's epoch (its low 16 bits, never 0 in a served shard) and grace period: until
     * {@code graceUntilNanos} (CLOCK_MONOTONIC, as bpf_ktime_get_ns and System.nanoTime read
     * it; 0 for none) reads and locks are answered RETRY.
     */
    public void setEpoch(int epoch, long graceUntilNanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Wire.SHARD_STATE);
            st.set(JAVA_INT, Wire.SHARD_STATE_EPOCH, epoch);
            st.set(JAVA_LONG, Wire.SHARD_STATE_GRACE_UNTIL_NS, graceUntilNanos);
            state.update(0, st);
        }
    }

    /** The shard's epoch now (16 bits). */
    public int epoch() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Wire.SHARD_STATE);
            state.lookup(0, st);
            return st.get(JAVA_INT, Wire.SHARD_STATE_EPOCH) & 0xffff;
        }
    }

    /**
     * Writes the kernel's dirty records back into the store (a copy: they stay dirty in the
     * kernel), each bucket read until two reads agree. Safe while serving: the store keeps the
     * newer of two versions. Returns {locked buckets, cached records, dirty records, write-backs
     * that found no space, write-backs refused} — while serving a refused one is a race (the record
     * was evicted and written anew after the bucket was read), at quiescence a fault.
     */
    public long[] writeBack(ShardStore store) {
        long[] c = new long[5];
        try (CacheBuckets buckets = new CacheBuckets(cache)) {
            MemorySegment bucket = buckets.bucket();
            for (int b = 0; b < buckets(); b++) {
                buckets.read(b);
                c[0] += buckets.locked() ? 1 : 0;
                buckets.forEachSlot((o, dirty) -> {
                    c[1]++;
                    if (dirty) {
                        c[2]++;
                        int status = RecordObjects.install(store.records(), bucket, o, false);
                        c[3] += status == Status.NO_SPACE ? 1 : 0;
                        c[4] += status == Status.REFUSED ? 1 : 0;
                    }
                });
            }
        }
        return c;
    }

    /**
     * Sets every bucket's Bloom word for the keys of {@code store}: a shard that recovered its
     * records from its replicas starts with an empty cache, and a clear Bloom bit would answer
     * "no such record" for records it has. Before the program serves.
     */
    public void seedBloom(ShardStore store) {
        int buckets = buckets();
        long[] bloom = new long[buckets];
        RecordTable records = store.records();
        records.forEachRecord(r -> {
            long hash = Hash64.hash(records.keyAt(r));
            bloom[(int) Long.remainderUnsigned(hash, buckets)] |= 1L << (hash >>> 58);
        });
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bucket = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
            for (int b = 0; b < buckets; b++) {
                if (bloom[b] != 0) {
                    cache.lookup(b, bucket);
                    bucket.set(JAVA_LONG, Wire.KV_BUCKET_BLOOM, bucket.get(JAVA_LONG, Wire.KV_BUCKET_BLOOM) | bloom[b]);
                    cache.update(b, bucket);
                }
            }
        }
    }
}
