package io.dint.log;

import io.dint.server.RecordDumps;
import io.dint.server.ServiceServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A commit-log server: a front (the XDP program, or the Java service on UDP sockets) appending
 * to rings, and a drainer moving the rings to the log file. Closing it stops the front first,
 * then drains every ring and syncs the file, and only then removes the rings; a crash leaves the
 * rings where the next server started with the same ring name drains them.
 */
public final class LogServer implements ServiceServer, RecordDumps {
    /** How long in-flight XDP runs may still append after the program is detached. */
    private static final long DETACH_GRACE_MILLIS = 50;

    private final ServiceServer front;
    private final RingStorage storage;
    private final LogFile file;
    private final LogDrainer drainer;
    private final long recovered;

    /**
     * Takes over {@code storage} and {@code file}: counts what the rings hold from a previous
     * server, starts draining, then starts the front (made by {@code front} from the rings).
     */
    public LogServer(RingStorage storage, LogFile file, FsyncPolicy policy, long drainIdleNanos,
                     Function<LogRings, ServiceServer> front) {
        this.storage = storage;
        this.file = file;
        this.recovered = storage.rings().pending();
        this.drainer = new LogDrainer(storage.rings(), file, policy, drainIdleNanos);
        drainer.start();
        try {
            this.front = front.apply(storage.rings());
        } catch (RuntimeException e) {
            drainer.close();
            storage.close(false);
            file.close();
            throw e;
        }
    }

    /** Records the rings held when this server started: ACKed by a predecessor, not yet drained. */
    public long recovered() {
        return recovered;
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>(front.stats());
        m.put("log_drained", drainer.drained());
        m.put("log_fsyncs", drainer.fsyncs());
        m.put("log_file_records", file.records());
        m.put("log_pending", storage.rings().pending());
        return m;
    }

    /**
     * Waits (up to 10 s) for the rings to drain, then reports what the front reports and what the
     * file and rings hold.
     */
    @Override
    public Map<String, Object> check() {
        boolean drained = drainer.awaitDrained(TimeUnit.SECONDS.toNanos(10));
        Map<String, Object> m = new LinkedHashMap<>(front.check());
        m.put("file", file.path().toString());
        m.put("file_records", file.records());
        m.put("pending", storage.rings().pending());
        m.put("rings", storage.location());
        m.put("all_drained", drained);
        return m;
    }

    /** The front's records, once the rings are drained into the file its log is read back from. */
    @Override
    public Map<String, Object> dumpRecords(java.nio.file.Path records, java.nio.file.Path log) {
        drainer.awaitDrained(TimeUnit.SECONDS.toNanos(10));
        return RecordDumps.of(front, records, log);
    }

    @Override
    public Map<String, long[]> perCpuStats() {
        return front.perCpuStats();
    }

    @Override
    public void close() {
        front.close();
        try {
            Thread.sleep(DETACH_GRACE_MILLIS); // a program detached may still be finishing a run
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drainer.close();
        file.close();
        storage.close(storage.rings().pending() == 0);
    }
}
