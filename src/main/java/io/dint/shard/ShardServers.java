package io.dint.shard;

import io.dint.backend.Backend;
import io.dint.backend.Frontend;
import io.dint.log.LogFile;
import io.dint.log.LogRings;
import io.dint.log.LogSettings;
import io.dint.log.RingStorage;
import io.dint.net.Ipv4;
import io.dint.server.ServiceServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A transaction shard's server on any backend: every record of the workload (primary for a third,
 * backup for the rest), 2PL and OCC locks, the commit log. Served in XDP (records cached in the
 * kernel, the Java slow path holding them all, the log drained to a file: {@link XdpShard}), or in
 * Java over kernel UDP or AF_XDP, with its log in memory or, given a log file, in rings drained to
 * it. A shard with peers also serves snapshots of its records to them ({@link ShardSnapshots}).
 */
public final class ShardServers {
    private final Frontend front;
    private final ShardSettings settings;
    private final Map<String, Object> ready;
    private final int epoch = newEpoch();
    /** The store of the shard being built and what to do before a snapshot of it, set once the server is made. */
    private ShardStore store;
    private Runnable beforeSnapshot = () -> { };

    private ShardServers(Frontend front, ShardSettings settings, Map<String, Object> ready) {
        this.front = front;
        this.settings = settings;
        this.ready = ready;
    }

    /** A shard as {@code settings} say on {@code front}'s backend; what it reports when ready goes into {@code ready}. */
    public static ServiceServer create(Frontend front, ShardSettings settings, Map<String, Object> ready) {
        return new ShardServers(front, settings, ready).build();
    }

    /** A random nonzero 16-bit epoch: a restarted shard never takes its predecessor's. */
    static int newEpoch() {
        return 1 + ThreadLocalRandom.current().nextInt(0xffff);
    }

    private ServiceServer build() {
        ready.put("epoch", epoch);
        ServiceServer shard;
        if (front.backend() == Backend.XDP) {
            XdpShard x = new XdpShard(front, settings, ready, epoch);
            shard = x.server();
            store = x.store();
            store.setParentKeys(settings.parentKeys());
            beforeSnapshot = x.beforeSnapshot();
        } else {
            shard = settings.log().file() == null ? plainJava() : durableJava();
        }
        if (settings.recovery().peers().length == 0) {
            return shard;
        }
        return new ServedShard(shard, new ShardSnapshots(store, Ipv4.ANY, ShardSnapshots.PORT, beforeSnapshot), () -> { });
    }

    /** A Java shard (udp, afxdp) whose log lives in memory only. */
    private ServiceServer plainJava() {
        store = served(new ShardStore(settings.records(), new ShardLog(settings.records())));
        return front.java(store);
    }

    /**
     * A Java shard with a durable commit log: each serving thread appends to a ring in /dev/shm
     * (named by the log's ring name; it outlives the process), drained to the log file as the log
     * service's are; the log's replayed records start from what the file holds.
     */
    private ServiceServer durableJava() {
        LogSettings log = settings.log();
        RingStorage storage = log.shmRings(front.javaThreads());
        LogFile file = LogSettings.open(log.file(), storage);
        long records = settings.records();
        ShardStore[] recovered = new ShardStore[1];
        Map<String, Object> outcome = new LinkedHashMap<>();
        if (settings.recovery().recover()) {
            // the records first, from the replicas; the log file gets what it lacks before anything drains into it
            ShardStore scratch = new ShardStore(records, new ShardLog(records));
            outcome.putAll(ShardRecovery.recover(scratch, file, settings.recovery().peers(), ShardSnapshots.PORT,
                    ShardSettings.RECOVERY_TIMEOUT));
            recovered[0] = scratch;
        }
        ready.put("log_file", file.path().toString());
        ready.put("recovered", outcome);
        return log.server(storage, file, rings -> {
            awaitDrained(rings);
            ShardStore s = new ShardStore(records, ShardLog.replay(file.path(), 0, records, rings));
            if (recovered[0] != null) {
                s.installAll(recovered[0]);
                recovered[0].close();
            }
            store = served(s);
            if (settings.recovery().recover()) {
                store.setGraceUntil(settings.recovery().graceUntil());
            }
            return front.java(store);
        });
    }

    /** {@code s} with this shard's epoch, lock lease and the workload's rule for its check. */
    private ShardStore served(ShardStore s) {
        s.setEpoch(epoch);
        s.setLockLease(settings.lockLeaseMs());
        s.setParentKeys(settings.parentKeys());
        return s;
    }

    /** Waits (30 s at most) until the drainer has moved every record of {@code rings} to the file. */
    static void awaitDrained(LogRings rings) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (rings.pending() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
