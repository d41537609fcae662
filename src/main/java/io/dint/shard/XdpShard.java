package io.dint.shard;

import io.dint.backend.Frontend;
import io.dint.log.LogFile;
import io.dint.log.LogSettings;
import io.dint.log.RingStorage;
import io.dint.server.ServiceServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The assembly of an in-kernel shard: its BPF object loaded (or, with a pin name, taken over from
 * a killed predecessor), its records recovered from its replicas when asked, its commit-log ring
 * drained to a file, and the XDP server with its Java slow path made once the drainer runs.
 */
final class XdpShard {
    private final Frontend front;
    private final ShardSettings settings;
    private final Map<String, Object> ready;
    private final ServiceServer server;
    private ShardStore store;
    private Runnable beforeSnapshot;

    XdpShard(Frontend front, ShardSettings settings, Map<String, Object> ready, int epoch) {
        this.front = front;
        this.settings = settings;
        this.ready = ready;
        this.server = build(epoch);
    }

    ServiceServer server() {
        return server;
    }

    /** The Java store of every record, which the slow path serves. */
    ShardStore store() {
        return store;
    }

    /** What to do before a snapshot of the store: write the kernel's cached records back to it. */
    Runnable beforeSnapshot() {
        return beforeSnapshot;
    }

    private ServiceServer build(int epoch) {
        long records = settings.records();
        ShardSettings.Recovery recovery = settings.recovery();
        int buckets = ShardXdpServer.buckets(records, settings.cacheRatio());
        int lockEntries = (int) Math.min(Integer.MAX_VALUE / 2, records * 3 / 2 + 1);
        Path pins = recovery.pin() == null ? null : ShardObject.pinDir(recovery.pin());
        Path storeFile = recovery.pin() == null ? null : Path.of("/dev/shm", "dint-shard-" + recovery.pin());
        boolean restart = ShardObject.pinned(pins);
        if (restart && recovery.recover()) {
            throw new IllegalArgumentException("--recover is for a shard that lost its maps, but " + pins + " holds them: "
                    + "start without --recover to take them over");
        }
        LogSettings log = settings.log();
        ShardObject obj = ShardObject.load(buckets, lockEntries, log.ringSlots(), settings.leaseNanos(), settings.lockLeaseMs(),
                front.mac(), front.allow(), pins);
        LogFile file;
        RingStorage storage;
        try {
            storage = obj.rings(null);
            file = LogSettings.open(log.file() != null ? log.file() : temporaryLog(), storage);
            // the kernel keeps the log: the store's own stays empty
            store = storeFile == null ? new ShardStore(records, new ShardLog(records))
                    : new ShardStore(records, new ShardLog(records), storeFile);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
        ready.put("cache_buckets", buckets);
        ready.put("lock_entries", lockEntries);
        ready.put("log_file", file.path().toString());
        ready.put("slow_path_restart", restart);
        if (restart) {
            // the kernel's state is as the killed process left it, its epoch included
            ready.put("epoch", obj.epoch());
        } else if (recovery.recover()) {
            ready.put("recovered", ShardRecovery.recover(store, file, recovery.peers(), ShardSnapshots.PORT,
                    ShardSettings.RECOVERY_TIMEOUT));
            obj.seedBloom(store);
            obj.setEpoch(epoch, recovery.graceUntil());
        } else {
            obj.setEpoch(epoch, 0);
        }
        Path drained = file.path();
        // a restarted or recovered shard's log holds its whole history, and so do its records
        long from = restart || recovery.recover() ? 0 : file.recoveredRecords();
        return log.server(storage, file, rings -> {
            if (restart) {
                ShardServers.awaitDrained(rings); // what the killed process acknowledged is in the file before the torn records are mended
                try (ShardLog replayed = ShardLog.replay(drained, 0, records)) {
                    ready.put("torn_records_repaired", store.repair(replayed));
                }
            }
            ShardXdpServer x = new ShardXdpServer(obj, store, front.iface(), front.allow(), front.threads(), drained, from, pins);
            beforeSnapshot = x::writeBack;
            return pins == null ? x : new ServedShard(x, () -> { }, () -> removePinned(pins, storeFile));
        });
    }

    /** A commit-log file for a shard given none, removed at exit. */
    private static Path temporaryLog() {
        try {
            Path path = Files.createTempFile("dint-shard-", ".log");
            Files.delete(path); // LogFile creates it, with its header
            path.toFile().deleteOnExit();
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary commit-log file: give one with --log FILE", e);
        }
    }

    /** Removes what a pinned xdp shard keeps past its process: on a graceful stop, nothing is left for a successor. */
    private static void removePinned(Path pins, Path storeFile) {
        try {
            if (Files.isDirectory(pins)) {
                try (var files = Files.list(pins)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(pins);
            }
            if (storeFile != null) {
                Files.deleteIfExists(storeFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the pinned state of the shard at " + pins, e);
        }
    }
}
