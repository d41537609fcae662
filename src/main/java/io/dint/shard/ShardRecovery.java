package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.log.LogFile;
import io.dint.net.Ipv4;
import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a shard that lost everything but its commit-log file comes back, before it serves (README,
 * "Recovery"): it asks each replica for a snapshot of its records and keeps, key by key, the
 * newest it gets — every key is on every replica, and a write is installed on a replica only once
 * committed, so this is every committed write the replicas hold; writes still on their way are
 * installed by their coordinators once the shard serves (its grace period lets them in before
 * any new lock). Then it makes its own log replay to what it now holds: every record whose last
 * logged write differs from it (lost with the rings, or never logged here) is appended to the
 * file as a recovery record (request id 0).
 */
public final class ShardRecovery {
    private ShardRecovery() {}

    /**
     * Fills {@code store} from the snapshots of {@code peers} (each tried for up to
     * {@code timeout}; one answering is enough) and appends to {@code file} what its log lacks.
     * Returns what was done, for the shard's READY line.
     *
     * @throws IllegalStateException when no replica answered
     */
    public static Map<String, Object> recover(ShardStore store, LogFile file, int[] peers, int port, Duration timeout) {
        Map<String, Object> done = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int peer : peers) {
            try {
                long n = ShardSnapshots.fetch(peer, port, timeout, (key, version, exists, value, offset) -> {
                    if (store.installRecord(key, version, exists, value, offset) == Status.NO_SPACE) {
                        throw new IllegalStateException("the store's " + store.capacity() + " records are too few for "
                                + "the replicas' records: serve with the capacity they were made with");
                    }
                });
                done.put("records_from_" + Ipv4.format(peer), n);
            } catch (UncheckedIOException e) {
                failed.add(Ipv4.format(peer) + ": " + e.getMessage());
            }
        }
        if (failed.size() == peers.length) {
            throw new IllegalStateException("no replica sent its records to recover from: " + String.join("; ", failed));
        }
        if (!failed.isEmpty()) {
            done.put("replicas_not_answering", failed);
        }
        long appended;
        try (ShardLog replayed = ShardLog.replay(file.path(), 0, store.capacity())) {
            appended = appendMissing(store, replayed, file);
        }
        file.sync();
        done.put("log_records_appended", appended);
        done.put("recovery_ms", (System.nanoTime() - t0) / 1_000_000);
        return done;
    }

    /** Appends to {@code file} every record of {@code store} that {@code replayed} (its log) does not replay to. */
    private static long appendMissing(ShardStore store, ShardLog replayed, LogFile file) {
        var t = store.table();
        var log = replayed.table();
        long[] n = {0};
        store.forEachRecord(r -> {
            long key = t.get(JAVA_LONG, r + ShardStore.KEY);
            int version = t.get(JAVA_INT, r + ShardStore.VERSION);
            boolean exists = (t.get(JAVA_INT, r + ShardStore.FLAGS) & Wire.TXN_F_EXISTS) != 0;
            if (version == 0 && !exists) {
                return;
            }
            long l = replayed.recordOf(key);
            if (l >= 0 && RecordDigest.term(key, log.get(JAVA_INT, l + ShardStore.VERSION),
                    (log.get(JAVA_INT, l + ShardStore.FLAGS) & Wire.TXN_F_EXISTS) != 0, log, l + ShardStore.VALUE)
                    == RecordDigest.term(key, version, exists, t, r + ShardStore.VALUE)) {
                return;
            }
            int op = exists ? Op.TXN_COMMIT_LOG : Op.TXN_DELETE_LOG;
            file.appendRecord(0, 0, key, ((long) op << 32) | Integer.toUnsignedLong(version), t, r + ShardStore.VALUE);
            n[0]++;
        });
        return n[0];
    }
}
