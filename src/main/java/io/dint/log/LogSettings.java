package io.dint.log;

import io.dint.server.ServiceServer;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * How a server keeps its commit log: the file its rings are drained to, the rings' name and size,
 * when the file is synced and how long the drainer sleeps on empty rings. The log service and
 * every durable transaction shard keep theirs so.
 *
 * @param file            the commit-log file (created, or recovered and appended to); null where
 *                        the server may go without one
 * @param ring            the name of the rings that outlive the process (see {@link ShmRings#path})
 * @param ringSlots       records per ring, a power of two
 * @param fsync           when the file is synced
 * @param drainIdleNanos  how long the drainer sleeps when the rings are empty
 */
public record LogSettings(Path file, String ring, int ringSlots, FsyncPolicy fsync, long drainIdleNanos) {
    public LogSettings {
        LogRings.checkSlots(ringSlots);
    }

    /** {@code rings} rings in /dev/shm under {@link #ring}'s name, one per serving thread: what a Java server appends to. */
    public RingStorage shmRings(int rings) {
        return ShmRings.open(ShmRings.path(ring), rings, ringSlots);
    }

    /** Opens the commit-log file {@code path} for the rings of {@code storage}; if it cannot, unmaps them and throws. */
    public static LogFile open(Path path, RingStorage storage) {
        try {
            return LogFile.open(path);
        } catch (RuntimeException e) {
            storage.close(false);
            throw e;
        }
    }

    /** A log server draining {@code storage} to {@code file} as these settings say, its front made by {@code front}. */
    public LogServer server(RingStorage storage, LogFile file, Function<LogRings, ServiceServer> front) {
        return new LogServer(storage, file, fsync, drainIdleNanos, front);
    }
}
