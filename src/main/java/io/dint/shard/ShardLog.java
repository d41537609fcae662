package io.dint.shard;

import io.dint.log.LogReplay;
import io.dint.wire.Op;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The commit log of a shard as the end-of-run checks read it: every LOG record the shard
 * acknowledged, replayed into records of its own — each key's last logged write, ordered by
 * version as installs are. Replaying a replica's log must give exactly the records the replica
 * holds: a committed write missing from the log, or logged but not installed, shows as a
 * difference of their digests. The {@code udp} and {@code afxdp} shards append here as they
 * acknowledge; the {@code xdp} shard's log is in the kernel's rings and the drained file, which
 * {@link #replay} reads back. The records are allocated with the first append.
 */
public final class ShardLog implements AutoCloseable {
    private final long capacity;
    private final io.dint.log.LogRings rings;
    private Path file; // the durable log's file, or null
    private final java.util.function.IntSupplier ring;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private volatile RecordTable replayed;

    /** @param capacity distinct keys the log may name: the shard's record capacity */
    public ShardLog(long capacity) {
        this(capacity, null);
    }

    /**
     * A log that is also durable: every record goes first to {@code rings} (one per serving
     * thread; whoever owns them drains them to the log file, {@link io.dint.log.LogServer}), as
     * the kernel shard's records go to its rings.
     */
    public ShardLog(long capacity, io.dint.log.LogRings rings) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("a shard log's capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.rings = rings;
        this.ring = rings == null ? null : rings.ringPerThread();
    }

    /**
     * Appends one record of a COMMIT, INSERT or DELETE log request: key, version and the value at
     * {@code value[offset, offset + 40)}, and the request's id. Returns OK; RETRY when the durable
     * ring is full (nothing appended: the client resends); NO_SPACE when the records are full (the
     * shard's capacity is too small for what the coordinators write).
     */
    public int append(int op, long key, int version, MemorySegment value, long offset, int clientId, long seq) {
        // the durable record first, with the op above the version as the kernel writes it
        if (rings != null && !rings.append(ring.getAsInt(), clientId, seq, key, ((long) op << 32) | Integer.toUnsignedLong(version),
                value, offset)) {
            return Status.RETRY;
        }
        return append(op, key, version, value, offset) ? Status.OK : Status.NO_SPACE;
    }

    /** Appends to the replayed records only (a log read back): false when they are full. */
    boolean append(int op, long key, int version, MemorySegment value, long offset) {
        int status = Installs.record(replayed(), key, version, op != Op.TXN_DELETE_LOG, value, offset);
        if (status == Status.NO_SPACE) {
            return false;
        }
        records.incrementAndGet();
        if (status == Status.REFUSED && Integer.compareUnsigned(version, replayed.version(key)) == 0) {
            conflicts.incrementAndGet(); // two different writes of one version: a lost update
        }
        return true;
    }

    /** The replayed records: each key's last logged write (made with the first use). */
    RecordTable replayed() {
        RecordTable r = replayed;
        if (r == null) {
            synchronized (this) {
                r = replayed;
                if (r == null) {
                    replayed = r = new RecordTable(capacity);
                }
            }
        }
        return r;
    }

    /**
     * Reads a shard's drained commit-log file back, from record {@code from} on (the records a
     * server appended since it started; the file may hold a predecessor's before them). A log
     * record's version field holds the request's op above the record's 32-bit version.
     *
     * @throws IllegalStateException when a record's checksum does not hold
     */
    public static ShardLog replay(Path file, long from, long capacity) {
        return replay(file, from, capacity, null);
    }

    /**
     * As above, for a log that goes on: its replayed records start from the file's, and what is
     * appended from now on goes to {@code rings} as well ({@link #ShardLog(long, io.dint.log.LogRings)}).
     */
    public static ShardLog replay(Path file, long from, long capacity, io.dint.log.LogRings rings) {
        ShardLog log = new ShardLog(capacity, rings);
        if (rings != null) {
            log.file = file;
        }
        LogReplay r = LogReplay.read(file, (index, valid, clientId, seq, key, version, value) -> {
            if (index >= from && valid && !log.append((int) (version >>> 32) & 0xff, key, (int) version, value, 0)) {
                throw new IllegalStateException("the commit log " + file + " names more keys than the shard's "
                        + capacity + " records");
            }
        });
        if (!r.ok()) {
            throw new IllegalStateException("the commit log " + file + " has " + r.badChecksums() + " records with a bad checksum");
        }
        return log;
    }

    /** Records appended. */
    public long records() {
        return records.get();
    }

    /** Records that name a version the log already had with another value or existence. */
    public long conflicts() {
        return conflicts.get();
    }

    /** The {@link io.dint.wire.RecordDigest} of the records the log replays to: each key's last logged write. */
    public long digest() {
        RecordTable r = replayed;
        return r == null ? 0 : ShardCheck.digest(r);
    }

    /** Writes the records the log replays to (each key's last logged write) to {@code file} ({@link RecordFile}); returns how many. */
    public long dump(Path file) {
        if (this.file != null) {
            return RecordFile.writeLog(this.file, 0, file); // durable: every record, in log order
        }
        return RecordFile.write(replayed(), file);
    }

    @Override
    public void close() {
        RecordTable r = replayed;
        if (r != null) {
            r.close();
        }
    }
}
