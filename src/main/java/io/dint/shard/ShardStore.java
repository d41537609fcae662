package io.dint.shard;

import static io.dint.shard.RecordTable.FLAGS;
import static io.dint.shard.RecordTable.LOCK;
import static io.dint.shard.RecordTable.VALUE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.lock.LockRules;
import io.dint.server.DatagramService;
import io.dint.server.Dedup;
import io.dint.server.RecordDumps;
import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import io.dint.wire.Zeros;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * One transaction shard in user space — the {@code udp} and {@code afxdp} backends' whole shard,
 * and the record store behind the {@code xdp} backend's slow path: every key of the workload (this
 * server is primary for a third of them and backup for the rest), each with its value, version,
 * existence and lock. It answers requests as {@code shard.bpf.c} does: a record's spin word is
 * taken with a CAS and a busy record is answered RETRY, as the kernel answers.
 *
 * <p>{@link #serve} sorts a request ({@link ShardOps}) and hands it to the part that owns its job:
 * the records ({@link RecordTable}), their locks under leases and the epoch ({@link LockLeases}),
 * installs in version order ({@link Installs}), the commit log ({@link ShardLog}) and the dedup
 * window ({@link Dedup}) that answers a retransmission as the original was answered.
 */
public final class ShardStore implements DatagramService, RecordDumps, AutoCloseable {
    private final RecordTable records;
    private final MemorySegment table; // the records' memory, read on every request
    private final ShardLog log;
    private final Dedup dedup;
    private final LockLeases locks;
    private volatile long graceUntilNanos;
    private volatile LongUnaryOperator parentKeys = ShardCheck.NO_PARENTS;

    /**
     * @param capacity records the store can hold; rounded up to a power of two of at least 1.5x
     * @param log      where commit-log records go
     */
    public ShardStore(long capacity, ShardLog log) {
        this(capacity, log, null);
    }

    /**
     * A store whose records live in {@code file} (on /dev/shm: memory that outlives the process),
     * so that the slow path of a kernel shard can be killed and restarted without losing them.
     * Opening a file a killed process left takes its records over; those that process was
     * changing when it died are {@link #torn}.
     */
    public ShardStore(long capacity, ShardLog log, Path file) {
        this.records = new RecordTable(capacity, file);
        this.table = records.memory();
        this.log = log;
        this.dedup = new Dedup();
        this.locks = new LockLeases();
    }

    /** True when this store took over the records a killed process left in its file. */
    public boolean takenOver() {
        return records.takenOver();
    }

    /**
     * Keys of the records a killed process was changing when it died (their spin words were
     * held), so possibly half written: {@link #repair} them before serving.
     */
    public long[] torn() {
        return records.torn();
    }

    /**
     * Sets every torn record to what {@code replayed} replays it to: the last write logged of it,
     * which is the install that was under way (its writer holds the lock, so nothing newer was
     * logged). Returns how many were repaired.
     */
    public int repair(ShardLog replayed) {
        return replayed.records() == 0 ? 0 : Installs.repair(records, replayed.replayed());
    }

    /** Sets the epoch every reply carries (its low 16 bits; never 0 in a served shard). */
    public void setEpoch(int e) {
        locks.setEpoch(e);
    }

    /** The epoch replies carry now (16 bits). */
    public int epoch() {
        return locks.epoch();
    }

    /** A lock granted longer ago than this may be taken over, unless pinned; 0: never. */
    public void setLockLease(int ms) {
        locks.setLease(ms);
    }

    /** Until then (System.nanoTime) reads and locks are answered RETRY: a recovering shard's grace period. */
    public void setGraceUntil(long nanoTime) {
        graceUntilNanos = nanoTime;
    }

    /**
     * The workload's rule for {@link #check}'s orphans: the key whose record must exist whenever
     * a record of the given key exists (TATP: a call forwarding's special facility), 0 for none.
     */
    public void setParentKeys(LongUnaryOperator parentKeys) {
        this.parentKeys = Objects.requireNonNull(parentKeys, "the parent-key rule is null: pass key -> 0 for none");
    }

    /** The rule {@link #setParentKeys} set; by default no record has a parent. */
    LongUnaryOperator parentKeys() {
        return parentKeys;
    }

    /** Records the store was made for. */
    public long capacity() {
        return records.capacity();
    }

    /** Native bytes a store for {@code capacity} records allocates (and zeroes) up front. */
    public static long bytesFor(long capacity) {
        return RecordTable.bytesFor(capacity);
    }

    /** Slots in the table. */
    public long slots() {
        return records.slots();
    }

    /** The records, for the checks, the snapshots and the slow path. */
    RecordTable records() {
        return records;
    }

    /** Installs every record of {@code other} here as an install would (the newer version stays). */
    public void installAll(ShardStore other) {
        Installs.all(records, other.records);
    }

    @Override
    public int serve(MemorySegment buf, int len, long[] stats) {
        stats[Stat.RX]++;
        if (len > Wire.MAX_PAYLOAD || (len >= TxnMessage.SIZE && len != TxnMessage.SIZE)) {
            stats[Stat.DROP_BAD_LENGTH]++;
            return -1;
        }
        if (len < TxnMessage.SIZE) {
            stats[Stat.DROP_TRUNCATED]++;
            return -1;
        }
        int op = Header.op(buf);
        long key = TxnMessage.key(buf);
        if (ShardOps.malformed(buf, op, key)) {
            stats[Stat.DROP_BAD_OP]++;
            return -1;
        }
        int expect = Header.reserved(buf);
        int ep = locks.epoch();
        Header.setReserved(buf, ep);
        long grace = graceUntilNanos;
        if (grace != 0 && (ShardOps.isRead(op) || ShardOps.isLock(op)) && System.nanoTime() < grace) {
            stats[Stat.TXN_GRACE]++;
            stats[Stat.TX]++;
            Header.setStatus(buf, Status.RETRY);
            return len;
        }
        boolean create = !ShardOps.isRead(op) && !ShardOps.isRelease(op) && !ShardOps.isLog(op);
        // installs are ordered by their versions, except the answer to one that unlocked: once
        // the lock is gone a newer write may follow, and its retransmission must still hear
        // what it was answered, not REFUSED
        boolean counted = !ShardOps.isRead(op) && (!ShardOps.isInstall(op) || (TxnMessage.flags(buf) & Wire.TXN_F_UNLOCK) != 0);
        int status = counted ? dedup.answered(buf) : -1;
        if (status >= 0) {
            // a retransmission: lock counts, unlocks and log appends happen once per request; a
            // granted lock's reply carries the record again (it cannot change while the lock is held)
            stats[Stat.DUPLICATE]++;
            long r = status == Status.GRANT ? records.find(key, false) : -1;
            if (r >= 0 && !LockLeases.holds(table, r + LOCK, op, TxnMessage.txnId(buf))) {
                status = Status.REJECT; // granted once, and taken over since (its lease ran out)
            } else if (r >= 0) {
                reply(r, buf);
            }
            stats[Stat.TX]++;
            Header.setStatus(buf, status);
            return len;
        }
        if (ShardOps.isLog(op)) {
            if (expect != 0 && expect != ep) {
                status = Status.STALE;
                stats[Stat.TXN_STALE]++;
            } else {
                status = log.append(op, key, TxnMessage.version(buf), buf, Wire.TXN_VALUE, Header.clientId(buf), Header.seq(buf));
                if (status == Status.OK) {
                    locks.pin(TxnMessage.txnId(buf)); // before the ACK: from now on it may be committed
                }
            }
        } else {
            long r = records.find(key, create);
            if (r < 0) {
                status = create ? Status.NO_SPACE : absent(op, buf);
            } else if (!records.trySpin(r)) {
                status = Status.RETRY;
            } else {
                try {
                    status = apply(op, r, buf, stats);
                } finally {
                    records.unspin(r);
                }
                Header.setReserved(buf, locks.epoch()); // a grant that took a lock over is of the new epoch
            }
        }
        if (counted && status != Status.RETRY) {
            dedup.remember(buf, status);
        }
        switch (status) {
            case Status.GRANT -> stats[Stat.GRANT]++;
            case Status.REJECT -> stats[Stat.REJECT]++;
            case Status.RETRY -> stats[Stat.RETRY]++;
            case Status.NOT_HELD -> stats[Stat.NOT_HELD]++;
            default -> { }
        }
        stats[Stat.TX]++;
        Header.setStatus(buf, status);
        return len;
    }

    /** A request on a key that has no record: reads see version 0, absent; releases hold nothing. */
    private static int absent(int op, MemorySegment buf) {
        TxnMessage.setVersion(buf, 0);
        TxnMessage.setFlags(buf, 0);
        Zeros.fill(buf, Wire.TXN_VALUE, TxnMessage.VALUE_SIZE);
        return ShardOps.isRead(op) ? Status.OK : Status.NOT_HELD;
    }

    /** A read, lock, release or install on record r, whose spin word is held. */
    private int apply(int op, long r, MemorySegment buf, long[] stats) {
        long txn = TxnMessage.txnId(buf);
        long lock = r + LOCK;
        int status = switch (op) {
            case Op.TXN_READ, Op.TXN_VALIDATE -> Status.OK;
            case Op.TXN_LOCK_SHARED, Op.TXN_LOCK_EXCLUSIVE, Op.TXN_OCC_LOCK -> locks.lock(table, lock, op, txn, stats);
            case Op.TXN_RELEASE_SHARED -> LockRules.unlockShared(table, lock, txn);
            case Op.TXN_RELEASE_EXCLUSIVE, Op.TXN_OCC_ABORT -> LockRules.unlockExclusive(table, lock, txn);
            default -> install(op, r, buf, txn);
        };
        if (status == Status.GRANT || ShardOps.isRead(op)) {
            reply(r, buf);
        }
        return status;
    }

    /**
     * Backup and primary installs: APPLIED when newer than the record, ALREADY_APPLIED when the
     * record is this write already, REFUSED otherwise; the reply carries the record's version.
     * An unlocking install releases the writer's lock unless refused.
     */
    private int install(int op, long r, MemorySegment buf, long txn) {
        int status = Installs.ifNewer(records, r, TxnMessage.version(buf), !ShardOps.isDelete(op), buf, Wire.TXN_VALUE);
        TxnMessage.setVersion(buf, records.versionAt(r));
        if ((TxnMessage.flags(buf) & Wire.TXN_F_UNLOCK) != 0 && status != Status.REFUSED) {
            LockRules.unlockExclusive(table, r + LOCK, txn);
        }
        return status;
    }

    /** Fills the reply with the record's version, flags (LOCKED when another transaction holds it) and value. */
    private void reply(long r, MemorySegment buf) {
        TxnMessage.setVersion(buf, records.versionAt(r));
        boolean locked = LockRules.foreign(table, r + LOCK, TxnMessage.txnId(buf));
        int flags = table.get(JAVA_INT, r + FLAGS) | (locked ? Wire.TXN_F_LOCKED : 0);
        TxnMessage.setFlags(buf, flags);
        TxnMessage.putValue(buf, table, r + VALUE);
    }

    @Override
    public Map<String, Object> check() {
        Map<String, Object> m = ShardCheck.scan(this).toMap();
        ShardCheck.putLog(m, log);
        return m;
    }

    @Override
    public Map<String, Object> dumpRecords(Path recordsFile, Path logRecords) {
        return Map.of("records", RecordFile.write(records, recordsFile), "log_records", log.dump(logRecords));
    }

    @Override
    public void close() {
        records.close();
        dedup.close();
        if (log != null) {
            log.close();
        }
    }
}
