package io.dint.shard;

import io.dint.log.LogFile;
import io.dint.net.Ipv4;
import io.dint.wire.Op;
import io.dint.wire.Status;
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
                    if (Installs.record(store.records(), key, version, exists, value, offset) == Status.NO_SPACE) {
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
            appended = appendMissing(store.records(), replayed.replayed(), file);
        }
        file.sync();
        done.put("log_records_appended", appended);
        done.put("recovery_ms", (System.nanoTime() - t0) / 1_000_000);
        return done;
    }

    /** Appends to {@code file} every record of {@code records} that {@code replayed} (its log replayed) does not hold. */
    private static long appendMissing(RecordTable records, RecordTable replayed, LogFile file) {
        long[] n = {0};
        records.forEachRecord(r -> {
            if (!records.writtenAt(r)) {
                return;
            }
            long key = records.keyAt(r);
            long l = replayed.find(key, false);
            if (l >= 0 && replayed.termAt(l) == records.termAt(r)) {
                return;
            }
            int op = records.existsAt(r) ? Op.TXN_COMMIT_LOG : Op.TXN_DELETE_LOG;
            file.appendRecord(0, 0, key, ((long) op << 32) | Integer.toUnsignedLong(records.versionAt(r)), records.memory(),
                    r + RecordTable.VALUE);
            n[0]++;
        });
        return n[0];
    }
}
