package io.dint.log;

import java.time.Duration;

/**
 * When the drainer makes the log file durable (fdatasync): group commit, once {@code interval}
 * has passed since the last sync or {@code records} records have been written since, whichever
 * comes first, and always at shutdown. A record ACKed by the server is safe from a crash of the
 * server process at once (it is in a ring that outlives the process); it is safe from a crash of
 * the machine once a sync after its drain has returned — within about {@code interval} plus one
 * drain pass.
 */
public record FsyncPolicy(Duration interval, long records) {
    public FsyncPolicy {
        if (interval.isNegative() || records <= 0) {
            throw new IllegalArgumentException("fsync interval must be >= 0 and records > 0, got " + interval + " and " + records);
        }
    }

    /** 10 ms or 4096 records. */
    public static FsyncPolicy standard() {
        return new FsyncPolicy(Duration.ofMillis(10), 4096);
    }

    boolean due(long unsyncedRecords, long nanosSinceSync) {
        return unsyncedRecords > 0 && (unsyncedRecords >= records || nanosSinceSync >= interval.toNanos());
    }
}
