package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.lock.LockRules;
import io.dint.log.LogRings;
import io.dint.server.Allowlist;
import io.dint.server.RecordDumps;
import io.dint.server.ServiceServer;
import io.dint.server.SlowPathXdpServer;
import io.dint.server.XdpServer;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;

/**
 * A transaction shard's {@code xdp} backend: {@code shard.bpf.o} attached to the interface (XDP
 * ingress: records from the kernel's cache, locks, log appends; TC egress: what the slow path
 * fetched goes into the cache), and the slow path on a UDP socket of the same port with every
 * record in a {@link ShardStore}. The log rings are the object's; whoever owns this server drains
 * them ({@link io.dint.log.LogServer}). Counters are the kernel's, the slow path's prefixed
 * {@code slow_}.
 */
public final class ShardXdpServer implements ServiceServer, RecordDumps {
    public static final String PROGRAM = "shard_xdp";
    public static final String TC_PROGRAM = "shard_tc_egress";
    static final String CACHE = "shard_cache";
    static final String LOCKS = "lock_table";
    static final String STATE = "shard_state";
    /** The maps a slow-path restart takes over: everything the XDP and TC programs keep. */
    static final java.util.List<String> PINNED_MAPS = java.util.List.of(CACHE, LOCKS, "dedup", "log_ring", "log_cursor", STATE,
            "pinned", "stats");

    /**
     * Sets the shard's epoch (its low 16 bits, never 0 in a served shard) and grace period: until
     * {@code graceUntilNanos} (CLOCK_MONOTONIC, as bpf_ktime_get_ns and System.nanoTime read
     * it; 0 for none) reads and locks are answered RETRY.
     */
    public static void setEpoch(BpfObject object, int epoch, long graceUntilNanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Wire.SHARD_STATE);
            st.set(JAVA_INT, Wire.SHARD_STATE_EPOCH, epoch);
            st.set(JAVA_LONG, Wire.SHARD_STATE_GRACE_UNTIL_NS, graceUntilNanos);
            object.map(STATE).update(0, st);
        }
    }

    /** The shard's epoch now (16 bits). */
    public static int epoch(BpfObject object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Wire.SHARD_STATE);
            object.map(STATE).lookup(0, st);
            return st.get(JAVA_INT, Wire.SHARD_STATE_EPOCH) & 0xffff;
        }
    }

    private final BpfObject object;
    private final int buckets;
    private final SlowPathXdpServer server;
    private final ShardStore store;
    private final Path log;
    private final long logFrom;

    /**
     * Opens and loads the shard object: a cache of {@code buckets} 4-way buckets, a lock table of
     * {@code lockEntries}, log rings of {@code logSlots} records per CPU, bucket locks leased for
     * {@code leaseNanos}, answering frames sent to {@code mac} (all zero: any frame, for fixtures)
     * from the sources {@code allow} allows. Transaction locks have no lease, and the epoch is 0,
     * until {@link #setEpoch} and the variant with a lock lease say otherwise.
     */
    public static BpfObject load(int buckets, int lockEntries, int logSlots, long leaseNanos, byte[] mac, Allowlist allow) {
        return load(buckets, lockEntries, logSlots, leaseNanos, 0, mac, allow, null);
    }

    /**
     * As above, with transaction locks leased for {@code lockLeaseMs} (0: no lease) and, with a
     * {@code pinDir}, every map pinned there — or the maps already pinned there taken over, as a
     * restarted slow path does while the XDP program it left keeps serving.
     */
    public static BpfObject load(int buckets, int lockEntries, int logSlots, long leaseNanos, int lockLeaseMs, byte[] mac,
                                 Allowlist allow, Path pinDir) {
        if (buckets <= 0 || lockEntries <= 0) {
            throw new IllegalArgumentException("cache buckets and lock entries must be positive, got " + buckets
                    + " and " + lockEntries);
        }
        if (leaseNanos <= 0) {
            throw new IllegalArgumentException("the bucket lock lease must be positive, got " + leaseNanos + " ns");
        }
        LogRings.checkSlots(logSlots);
        int cpus = BpfMap.possibleCpus();
        BpfObject obj = BpfObject.openBundled("shard");
        try {
            obj.map(CACHE).setMaxEntries(buckets);
            obj.map(LOCKS).setMaxEntries(lockEntries);
            obj.map("log_ring").setMaxEntries(cpus * logSlots);
            obj.map("log_cursor").setMaxEntries(cpus);
            XdpServer.configure(obj, mac, lockEntries, allow);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cfg = arena.allocate(Wire.SHARD_CONFIG);
                cfg.set(JAVA_LONG, Wire.SHARD_CONFIG_LEASE_NS, leaseNanos);
                cfg.set(JAVA_INT, Wire.SHARD_CONFIG_BUCKETS, buckets);
                cfg.set(JAVA_INT, Wire.SHARD_CONFIG_LOG_SLOTS, logSlots);
                cfg.set(JAVA_INT, Wire.SHARD_CONFIG_LOCK_LEASE_MS, lockLeaseMs);
                obj.map(".rodata.shard").setInitialValue(cfg);
            }
            if (pinDir != null) {
                java.nio.file.Files.createDirectories(pinDir);
                for (String m : PINNED_MAPS) {
                    obj.map(m).setPinPath(pinDir.resolve(m));
                }
            }
            obj.load();
            allow.fill(obj);
            return obj;
        } catch (java.io.IOException e) {
            obj.close();
            throw new java.io.UncheckedIOException("cannot create " + pinDir, e);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** Cache buckets for {@code records} records at {@code ratio} slots per record. */
    public static int buckets(long records, double ratio) {
        if (!(ratio > 0) || ratio > 64) {
            throw new IllegalArgumentException("the cache ratio (slots per record) must be in (0, 64], got " + ratio);
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 2, Math.ceil(records * ratio / Wire.KV_WAYS)));
    }

    /**
     * Serves a loaded shard object (taken over: closed with the server) on {@code iface}.
     *
     * @param store   every record (taken over)
     * @param buckets the object's cache buckets
     * @param allow   the clients served (those the object was loaded with)
     * @param threads slow-path threads
     * @param log     the file the object's log rings are drained to, read back by every check
     *                from record {@code logFrom} on (what this server appended); null for none
     */
    public ShardXdpServer(BpfObject object, ShardStore store, int buckets, String iface, Allowlist allow, int threads, Path log,
                          long logFrom) {
        this(object, store, buckets, iface, allow, threads, log, logFrom, null);
    }

    /**
     * As above; with a {@code pinDir} the XDP link is pinned there, so that a killed slow path
     * leaves the program serving, and a predecessor's program and TC filter are replaced.
     */
    public ShardXdpServer(BpfObject object, ShardStore store, int buckets, String iface, Allowlist allow, int threads, Path log,
                          long logFrom, Path pinDir) {
        this.store = store;
        this.log = log;
        this.logFrom = logFrom;
        this.server = new SlowPathXdpServer(object, PROGRAM, TC_PROGRAM, iface, new ShardSlowPath(store, buckets), threads,
                allow, pinDir, o -> {
                    Map<String, Object> m = check(o, store, buckets);
                    if (log != null) {
                        try (ShardLog replayed = ShardLog.replay(log, logFrom, store.capacity())) {
                            ShardCheck.putLog(m, replayed);
                        }
                    }
                    return m;
                });
        this.object = object;
        this.buckets = buckets;
    }

    /**
     * The shard's state at quiescence, as the udp backend reports it: the kernel's dirty records
     * are written back into the store first (a copy: they stay dirty in the kernel), then the
     * store is scanned; locks are the kernel's lock table's, plus buckets still locked. The
     * server's check adds what its drained commit log replays to.
     */
    public static Map<String, Object> check(BpfObject object, ShardStore store, int buckets) {
        long[] c = writeBack(object, store, buckets);
        // at quiescence a refused write-back is a fault too: the store holds a newer version
        // than the kernel's dirty record, which nobody wrote back
        long lockedBuckets = c[0], cached = c[1], dirty = c[2], lost = c[3] + c[4];
        long locks = 0;
        BpfMap table = object.map(LOCKS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate((long) table.maxEntries() * Wire.LOCK_ENTRY_SIZE, 8);
            table.copyAll(all);
            for (long off = 0; off < all.byteSize(); off += Wire.LOCK_ENTRY_SIZE) {
                locks += LockRules.held(all, off) ? 1 : 0;
            }
        }
        Map<String, Object> m = ShardCheck.scan(store).toMap();
        m.put("locks_held", locks + lockedBuckets);
        m.put("locked_buckets", lockedBuckets);
        m.put("cached", cached);
        m.put("dirty", dirty);
        m.put("write_back_failed", lost);
        return m;
    }

    /**
     * Writes the kernel's dirty records back into the store (a copy: they stay dirty in the
     * kernel), each bucket read until two reads agree, so that a bucket XDP was writing is not
     * taken half written. Safe while serving: the store keeps the newer of two versions. Returns
     * {locked buckets, cached records, dirty records, write-backs that found no space, write-backs
     * refused} — while serving a refused one is a race (the record was evicted and written anew
     * after the bucket was read), at quiescence a fault.
     */
    static long[] writeBack(BpfObject object, ShardStore store, int buckets) {
        BpfMap cache = object.map(CACHE);
        long lockedBuckets = 0, dirty = 0, cached = 0, lost = 0, refused = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bucket = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
            MemorySegment again = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
            for (int b = 0; b < buckets; b++) {
                cache.lookup(b, bucket);
                for (int tries = 0; tries < 1000; tries++) {
                    cache.lookup(b, again);
                    if (bucket.mismatch(again) < 0) {
                        break;
                    }
                    MemorySegment.copy(again, 0, bucket, 0, Wire.KV_BUCKET_SIZE);
                }
                lockedBuckets += bucket.get(JAVA_LONG, Wire.KV_BUCKET_LOCK) != 0 ? 1 : 0;
                for (int way = 0; way < Wire.KV_WAYS; way++) {
                    long slot = Wire.KV_BUCKET_SLOT + (long) way * Wire.KV_SLOT_SIZE;
                    if (bucket.get(JAVA_BYTE, slot + Wire.KV_SLOT_VALID) == 0) {
                        continue;
                    }
                    cached++;
                    if (bucket.get(JAVA_BYTE, slot + Wire.KV_SLOT_DIRTY) != 0) {
                        dirty++;
                        int status = RecordObjects.install(store.records(), bucket, slot + Wire.KV_SLOT_OBJ, false);
                        lost += status == Status.NO_SPACE ? 1 : 0;
                        refused += status == Status.REFUSED ? 1 : 0;
                    }
                }
            }
        }
        return new long[] {lockedBuckets, cached, dirty, lost, refused};
    }

    /**
     * Sets every bucket's Bloom word for the keys of {@code store}: a shard that recovered its
     * records from its replicas starts with an empty cache, and a clear Bloom bit would answer
     * "no such record" for records it has. Before the program serves.
     */
    public static void seedBloom(BpfObject object, ShardStore store, int buckets) {
        long[] bloom = new long[buckets];
        RecordTable records = store.records();
        records.forEachRecord(r -> {
            long hash = io.dint.wire.Hash64.hash(records.keyAt(r));
            bloom[(int) Long.remainderUnsigned(hash, buckets)] |= 1L << (hash >>> 58);
        });
        BpfMap cache = object.map(CACHE);
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

    /** The kernel's dirty records written back into the store ({@link #writeBack}), for a snapshot. */
    public void writeBack() {
        writeBack(object, store, buckets);
    }

    /** Where the maps of a shard pinned as {@code name} live (a slow-path restart takes them over). */
    public static Path pinDir(String name) {
        return io.dint.bpf.BpfFs.pinRoot().resolve("shard-" + name);
    }

    /** True when {@code pinDir} holds the maps of a shard whose slow path was killed. */
    public static boolean pinned(Path pinDir) {
        return pinDir != null && java.nio.file.Files.exists(pinDir.resolve(CACHE));
    }

    @Override
    public Map<String, Object> stats() {
        return server.stats();
    }

    @Override
    public Map<String, Object> check() {
        return server.check();
    }

    @Override
    public Map<String, long[]> perCpuStats() {
        return server.perCpuStats();
    }

    /**
     * Writes the records (the kernel's dirty ones written back into the store first, as the
     * check does) and every record of the drained commit log.
     */
    @Override
    public Map<String, Object> dumpRecords(Path records, Path logRecords) {
        check(object, store, buckets);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("records", RecordFile.write(store.records(), records));
        if (log != null) {
            m.put("log_records", RecordFile.writeLog(log, logFrom, logRecords)); // every record, in log order
        }
        return m;
    }

    /** The cache's bucket count. */
    public int buckets() {
        return buckets;
    }

    /** The loaded object (for the log rings and for fixtures). */
    public BpfObject object() {
        return object;
    }

    @Override
    public void close() {
        server.close();
    }
}
