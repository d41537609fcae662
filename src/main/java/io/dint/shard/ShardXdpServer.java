package io.dint.shard;

import io.dint.lock.LockEntryCounts;
import io.dint.server.Allowlist;
import io.dint.server.RecordDumps;
import io.dint.server.ForwardingServer;
import io.dint.server.ServiceServer;
import io.dint.server.SlowPathXdpServer;
import io.dint.wire.Wire;
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
public final class ShardXdpServer implements ForwardingServer, RecordDumps {
    private final ShardObject object;
    private final SlowPathXdpServer server;
    private final ShardStore store;
    private final Path log;
    private final long logFrom;

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
     * @param allow   the clients served (those the object was loaded with)
     * @param threads slow-path threads
     * @param log     the file the object's log rings are drained to, read back by every check
     *                from record {@code logFrom} on (what this server appended); null for none
     */
    public ShardXdpServer(ShardObject object, ShardStore store, String iface, Allowlist allow, int threads, Path log,
                          long logFrom) {
        this(object, store, iface, allow, threads, log, logFrom, null);
    }

    /**
     * As above; with a {@code pinDir} the XDP link is pinned there, so that a killed slow path
     * leaves the program serving, and a predecessor's program and TC filter are replaced.
     */
    public ShardXdpServer(ShardObject object, ShardStore store, String iface, Allowlist allow, int threads, Path log,
                          long logFrom, Path pinDir) {
        this.store = store;
        this.log = log;
        this.logFrom = logFrom;
        this.server = new SlowPathXdpServer(object, iface, new ShardSlowPath(store, object.buckets()), threads,
                allow, pinDir, () -> {
                    Map<String, Object> m = check(object, store);
                    if (log != null) {
                        try (ShardLog replayed = ShardLog.replay(log, logFrom, store.capacity())) {
                            ShardCheck.putLog(m, replayed);
                        }
                    }
                    return m;
                });
        this.object = object;
    }

    /**
     * The shard's state at quiescence, as the udp backend reports it: the kernel's dirty records
     * are written back into the store first (a copy: they stay dirty in the kernel), then the
     * store is scanned; locks are the kernel's lock table's, plus buckets still locked. The
     * server's check adds what its drained commit log replays to.
     */
    public static Map<String, Object> check(ShardObject object, ShardStore store) {
        long[] c = object.writeBack(store);
        // at quiescence a refused write-back is a fault too: the store holds a newer version
        // than the kernel's dirty record, which nobody wrote back
        long lockedBuckets = c[0], cached = c[1], dirty = c[2], lost = c[3] + c[4];
        long locks = LockEntryCounts.scan(object.locks()).held();
        Map<String, Object> m = ShardCheck.scan(store).toMap();
        m.put("locks_held", locks + lockedBuckets);
        m.put("locked_buckets", lockedBuckets);
        m.put("cached", cached);
        m.put("dirty", dirty);
        m.put("write_back_failed", lost);
        return m;
    }

    /** The kernel's dirty records written back into the store ({@link ShardObject#writeBack}), for a snapshot. */
    public void writeBack() {
        object.writeBack(store);
    }

    /**
     * Writes the records (the kernel's dirty ones written back into the store first, as the
     * check does) and every record of the drained commit log.
     */
    @Override
    public Map<String, Object> dumpRecords(Path records, Path logRecords) {
        check(object, store);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("records", RecordFile.write(store.records(), records));
        if (log != null) {
            m.put("log_records", RecordFile.writeLog(log, logFrom, logRecords)); // every record, in log order
        }
        return m;
    }

    /** The cache's bucket count. */
    public int buckets() {
        return object.buckets();
    }

    /** The loaded object (for the log rings and for fixtures). */
    public ShardObject object() {
        return object;
    }

    @Override
    public ServiceServer inner() {
        return server;
    }
}
