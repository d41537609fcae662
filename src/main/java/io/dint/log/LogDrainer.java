package io.dint.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * Moves records from the rings to the log file on a thread of its own: for each ring, copies what
 * lies between tail and head into checksummed file records, writes them, and only then moves the
 * ring's tail on — a record leaves its ring only once it is in the file. Syncs the file by its
 * {@link FsyncPolicy}; when there is nothing to drain it parks for {@code idleNanos}, twice as long
 * each time the rings are still empty, up to {@link #MAX_IDLE_NANOS}: an idle server's drainer
 * wakes a thousand times a second, not ten thousand, and one under load drains as soon as before.
 * Allocation-free per record.
 */
public final class LogDrainer implements AutoCloseable {
    private static final int BATCH = 512; // records per write
    /**
     * The longest park on empty rings: 1 ms. A record waits at most this long (plus a drain) before
     * it reaches the file, well inside the fsync policy's default 10 ms; a 65,536-slot ring fills
     * in 1 ms only beyond 65 million appends a second.
     */
    static final long MAX_IDLE_NANOS = 1_000_000;

    private final LogRings rings;
    private final LogFile file;
    private final FsyncPolicy policy;
    private final long idleNanos;
    private final ByteBuffer out = ByteBuffer.allocateDirect(BATCH * LogFile.RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment outSeg = MemorySegment.ofBuffer(out);
    private final CRC32C crc = new CRC32C();
    private Thread thread;
    private volatile boolean running;
    private volatile Throwable failure;
    private volatile long drained;
    private volatile long fsyncs;
    private long unsynced;
    private long lastSync = System.nanoTime();

    public LogDrainer(LogRings rings, LogFile file, FsyncPolicy policy, long idleNanos) {
        this.rings = rings;
        this.file = file;
        this.policy = policy;
        this.idleNanos = idleNanos;
    }

    public synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().name("log-drainer").daemon().start(this::loop);
    }

    private void loop() {
        try {
            long idle = idleNanos;
            while (running) {
                if (drainOnce() > 0) {
                    idle = idleNanos;
                } else {
                    syncIfDue();
                    LockSupport.parkNanos(idle);
                    idle = nextIdle(idle, idleNanos);
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** The park after one of {@code idle} found the rings still empty: doubled, up to the cap (0, busy polling, stays 0). */
    static long nextIdle(long idle, long base) {
        return Math.min(idle * 2, Math.max(base, MAX_IDLE_NANOS));
    }

    /** Drains every ring once, as far as its head; returns the records written. Drainer thread only. */
    int drainOnce() {
        int total = 0;
        try {
            for (int r = 0; r < rings.rings(); r++) {
                long tail = rings.tail(r);
                long head = rings.head(r);
                while (tail < head) {
                    int n = (int) Math.min(head - tail, BATCH);
                    out.clear();
                    for (int i = 0; i < n; i++) {
                        LogFile.encode(rings.entries(), rings.entry(r, tail + i), out, outSeg, i * LogFile.RECORD_SIZE, crc);
                    }
                    out.limit(n * LogFile.RECORD_SIZE);
                    file.append(out);
                    tail += n;
                    rings.publishTail(r, tail);
                    total += n;
                }
            }
            drained += total;
            unsynced += total;
            syncIfDue();
        } catch (IOException e) {
            throw new UncheckedIOException("writing the commit log " + file.path() + " failed", e);
        }
        return total;
    }

    private void syncIfDue() throws IOException {
        long now = System.nanoTime();
        if (policy.due(unsynced, now - lastSync)) {
            sync(now);
        }
    }

    private void sync(long now) throws IOException {
        file.force();
        fsyncs++;
        unsynced = 0;
        lastSync = now;
    }

    /** Records drained by this drainer. */
    public long drained() {
        return drained;
    }

    public long fsyncs() {
        return fsyncs;
    }

    /** Waits until every ring is drained or {@code timeoutNanos} has passed; true when drained. */
    public boolean awaitDrained(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (rings.pending() > 0 && System.nanoTime() < deadline) {
            checkAlive();
            LockSupport.unpark(thread);
            LockSupport.parkNanos(1_000_000);
        }
        return rings.pending() == 0;
    }

    private void checkAlive() {
        Throwable t = failure;
        if (t != null) {
            throw new IllegalStateException("the log drainer failed: " + t.getMessage(), t);
        }
    }

    /** Stops the thread, drains what is left and syncs the file. */
    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        checkAlive();
        try {
            while (drainOnce() > 0) {
                // until the rings are empty
            }
            sync(System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException("syncing the commit log " + file.path() + " failed", e);
        }
    }
}
