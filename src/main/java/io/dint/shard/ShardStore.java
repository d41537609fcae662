package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.lock.LockRules;
import io.dint.server.DatagramService;
import io.dint.server.Dedup;
import io.dint.server.RecordDumps;
import io.dint.wire.Hash64;
import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Map;

/**
 * One transaction shard's records in user space — the {@code udp} backend's whole store: every key
 * of the workload (this server is primary for a third of them and backup for the rest), each with
 * its value, version, existence and lock (a {@code struct dint_lock_entry} under the rules of
 * {@link LockRules}, as the kernel shard's lock table; the OCC lock is the exclusive grant). Off-heap open addressing keyed by the 8-byte key (0 is never a key: every key
 * carries a table tag in its top byte); a record's spin word is taken with a CAS and a busy record
 * is answered RETRY, as the kernel answers.
 */
public final class ShardStore implements DatagramService, RecordDumps, AutoCloseable {
    // record layout: the key, its lock (a struct dint_lock_entry, whose spin word guards the whole
    // record), version, flags, value
    static final int KEY = 0, LOCK = 8, SPIN = LOCK + Wire.LOCK_ENTRY_SPIN, VERSION = LOCK + Wire.LOCK_ENTRY_SIZE,
            FLAGS = VERSION + 4, VALUE = FLAGS + 4, RECORD = VALUE + TxnMessage.VALUE_SIZE;

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final Arena arena = Arena.ofShared();
    private final MemorySegment table;
    private final long mask;
    private final long capacity;
    private final ShardLog log;
    private final Dedup dedup;
    private final Path file;
    private final boolean taken;
    private final long[] torn;
    // epochs, leases and pins, as shard.bpf.c keeps them (README, "Recovery")
    private final java.util.concurrent.atomic.AtomicInteger epoch = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long graceUntilNanos;
    private volatile int lockLeaseMs;
    private final Pinned pinned; // of a served store only

    /**
     * @param capacity records the store can hold; rounded up to a power of two of at least 1.5x
     * @param log      where commit-log records go
     */
    public ShardStore(long capacity, ShardLog log) {
        this(capacity, log, new Dedup());
    }

    /**
     * A store whose records live in {@code file} (on /dev/shm: memory that outlives the process),
     * so that the slow path of a kernel shard can be killed and restarted without losing them.
     * Opening a file a killed process left takes its records over; those that process was
     * changing when it died are {@link #torn}.
     */
    public ShardStore(long capacity, ShardLog log, Path file) {
        this(capacity, log, new Dedup(), file);
    }

    /** Records only, served to nobody: what a commit log is replayed into ({@link ShardLog}). */
    ShardStore(long capacity) {
        this(capacity, null, null, null);
    }

    private ShardStore(long capacity, ShardLog log, Dedup dedup) {
        this(capacity, log, dedup, null);
    }

    private ShardStore(long capacity, ShardLog log, Dedup dedup, Path file) {
        if (capacity <= 0 || capacity > 1L << 30) {
            throw new IllegalArgumentException("shard capacity must be in 1..2^30 records, got " + capacity);
        }
        long slots = slotsFor(capacity);
        this.mask = slots - 1;
        this.capacity = capacity;
        this.file = file;
        if (file == null) {
            this.table = arena.allocate(slots * RECORD, 64);
            this.taken = false;
        } else {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                this.taken = ch.size() == slots * RECORD;
                if (!taken && ch.size() != 0) {
                    throw new IllegalStateException(file + " holds a store of another size (" + ch.size() + " bytes, not "
                            + slots * RECORD + "): serve with the capacity that made it, or remove it (losing its records)");
                }
                this.table = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, slots * RECORD, arena);
            } catch (java.io.IOException e) {
                arena.close();
                throw new java.io.UncheckedIOException("cannot map the store file " + file, e);
            }
        }
        this.log = log;
        this.dedup = dedup;
        this.pinned = dedup == null ? null : new Pinned(Wire.SHARD_PINNED);
        this.torn = taken ? releaseSpins() : new long[0];
    }

    /** A taken-over store's records whose spin word was held: a killed process was in the middle of them. */
    private long[] releaseSpins() {
        java.util.List<Long> keys = new java.util.ArrayList<>();
        for (long i = 0; i <= mask; i++) {
            long r = i * RECORD;
            if (table.get(JAVA_INT, r + SPIN) != 0) {
                keys.add(table.get(JAVA_LONG, r + KEY));
                table.set(JAVA_INT, r + SPIN, 0);
            }
        }
        return keys.stream().filter(k -> k != 0).mapToLong(Long::longValue).toArray();
    }

    /** True when this store took over the records a killed process left in its file. */
    public boolean takenOver() {
        return taken;
    }

    /**
     * Keys of the records a killed process was changing when it died (their spin words were
     * held), so possibly half written: {@link #repair} them before serving.
     */
    public long[] torn() {
        return torn.clone();
    }

    /**
     * Sets every torn record to what {@code log} replays it to: the last write logged of it, which
     * is the install that was under way (its writer holds the lock, so nothing newer was logged).
     * Returns how many were repaired.
     */
    public int repair(ShardLog replayed) {
        int n = 0;
        for (long key : torn) {
            long src = replayed.recordOf(key);
            long r = find(key, false);
            if (src < 0 || r < 0) {
                continue;
            }
            spin(r);
            try {
                MemorySegment t = replayed.table();
                table.set(JAVA_INT, r + VERSION, t.get(JAVA_INT, src + VERSION));
                table.set(JAVA_INT, r + FLAGS, t.get(JAVA_INT, src + FLAGS));
                MemorySegment.copy(t, src + VALUE, table, r + VALUE, TxnMessage.VALUE_SIZE);
                n++;
            } finally {
                INT.setRelease(table, r + SPIN, 0);
            }
        }
        return n;
    }

    /** Sets the epoch every reply carries (its low 16 bits; never 0 in a served shard). */
    public void setEpoch(int e) {
        epoch.set(e);
    }

    /** The epoch replies carry now (16 bits). */
    public int epoch() {
        return epoch.get() & 0xffff;
    }

    /** A lock granted longer ago than this may be taken over, unless pinned; 0: never. */
    public void setLockLease(int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("the lock lease must be >= 0 ms, got " + ms);
        }
        lockLeaseMs = ms;
    }

    /** Until then (System.nanoTime) reads and locks are answered RETRY: a recovering shard's grace period. */
    public void setGraceUntil(long nanoTime) {
        graceUntilNanos = nanoTime;
    }

    /** Records the store was made for. */
    public long capacity() {
        return capacity;
    }

    /** Slots of a store for {@code capacity} records: a power of two above 1.5x. */
    static long slotsFor(long capacity) {
        return Long.highestOneBit(capacity * 3 / 2 + 1) << 1;
    }

    /** Native bytes a store for {@code capacity} records allocates (and zeroes) up front. */
    public static long bytesFor(long capacity) {
        return slotsFor(capacity) * RECORD;
    }

    /** Slots in the table. */
    public long slots() {
        return mask + 1;
    }

    /** Offset of key's record, creating it when {@code create}; -1 when absent (or full). */
    long find(long key, boolean create) {
        long i = Hash64.hash(key) & mask;
        for (long probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
            long r = i * RECORD;
            long k = (long) LONG.getAcquire(table, r + KEY);
            if (k == key) {
                return r;
            }
            if (k == 0) {
                if (!create) {
                    return -1;
                }
                long witness = (long) LONG.compareAndExchange(table, r + KEY, 0L, key);
                if (witness == 0 || witness == key) {
                    return r;
                }
            }
        }
        return -1;
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
        if (malformed(buf, op, key)) {
            stats[Stat.DROP_BAD_OP]++;
            return -1;
        }
        int expect = Header.reserved(buf);
        int ep = epoch();
        Header.setReserved(buf, ep);
        long grace = graceUntilNanos;
        if (grace != 0 && (op == Op.TXN_READ || op == Op.TXN_VALIDATE || isLock(op)) && System.nanoTime() < grace) {
            stats[Stat.TXN_GRACE]++;
            stats[Stat.TX]++;
            Header.setStatus(buf, Status.RETRY);
            return len;
        }
        boolean create = op != Op.TXN_READ && op != Op.TXN_VALIDATE && !isRelease(op) && !isLog(op);
        // installs are ordered by their versions, except the answer to one that unlocked: once
        // the lock is gone a newer write may follow, and its retransmission must still hear
        // what it was answered, not REFUSED
        boolean counted = op != Op.TXN_READ && op != Op.TXN_VALIDATE
                && (!isInstall(op) || (TxnMessage.flags(buf) & Wire.TXN_F_UNLOCK) != 0);
        int status = counted ? dedup.answered(buf) : -1;
        if (status >= 0) {
            // a retransmission: lock counts, unlocks and log appends happen once per request; a
            // granted lock's reply carries the record again (it cannot change while the lock is held)
            stats[Stat.DUPLICATE]++;
            long r = status == Status.GRANT ? find(key, false) : -1;
            if (r >= 0 && !holds(r, op, TxnMessage.txnId(buf))) {
                status = Status.REJECT; // granted once, and taken over since (its lease ran out)
            } else if (r >= 0) {
                reply(r, buf);
            }
            stats[Stat.TX]++;
            Header.setStatus(buf, status);
            return len;
        }
        if (isLog(op)) {
            if (expect != 0 && expect != ep) {
                status = Status.STALE;
                stats[Stat.TXN_STALE]++;
            } else {
                status = log.append(op, key, TxnMessage.version(buf), buf, Wire.TXN_VALUE, Header.clientId(buf), Header.seq(buf));
                if (status == Status.OK) {
                    pinned.add(TxnMessage.txnId(buf)); // before the ACK: from now on it may be committed
                }
            }
        } else {
            long r = find(key, create);
            if (r < 0) {
                status = create ? Status.NO_SPACE : absent(op, buf);
            } else if (!INT.compareAndSet(table, r + SPIN, 0, 1)) {
                status = Status.RETRY;
            } else {
                try {
                    status = apply(op, r, buf, stats);
                } finally {
                    INT.setRelease(table, r + SPIN, 0);
                }
                Header.setReserved(buf, epoch()); // a grant that took a lock over is of the new epoch
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

    /** Not a shard request: a reply, an op of another service, key 0 (never a key) or an install of version 0. */
    static boolean malformed(MemorySegment buf, int op, long key) {
        return Header.status(buf) != Status.REQUEST || op < Op.TXN_READ || op > Op.TXN_DELETE_PRIMARY || key == 0
                || !LockRules.txnOk(TxnMessage.txnId(buf)) || (isInstall(op) && TxnMessage.version(buf) == 0);
    }

    static boolean isInstall(int op) {
        return op == Op.TXN_COMMIT_BACKUP || op == Op.TXN_COMMIT_PRIMARY || op == Op.TXN_INSERT_BACKUP
                || op == Op.TXN_INSERT_PRIMARY || op == Op.TXN_DELETE_BACKUP || op == Op.TXN_DELETE_PRIMARY;
    }

    static boolean isLog(int op) {
        return op == Op.TXN_COMMIT_LOG || op == Op.TXN_INSERT_LOG || op == Op.TXN_DELETE_LOG;
    }

    static boolean isLock(int op) {
        return op == Op.TXN_LOCK_SHARED || op == Op.TXN_LOCK_EXCLUSIVE || op == Op.TXN_OCC_LOCK;
    }

    static boolean isRelease(int op) {
        return op == Op.TXN_RELEASE_SHARED || op == Op.TXN_RELEASE_EXCLUSIVE || op == Op.TXN_OCC_ABORT;
    }

    static boolean isDelete(int op) {
        return op == Op.TXN_DELETE_BACKUP || op == Op.TXN_DELETE_PRIMARY;
    }

    /** A request on a key that has no record: reads see version 0, absent; releases hold nothing. */
    private static int absent(int op, MemorySegment buf) {
        TxnMessage.setVersion(buf, 0);
        TxnMessage.setFlags(buf, 0);
        buf.asSlice(Wire.TXN_VALUE, TxnMessage.VALUE_SIZE).fill((byte) 0);
        return op == Op.TXN_READ || op == Op.TXN_VALIDATE ? Status.OK : Status.NOT_HELD;
    }

    private int apply(int op, long r, MemorySegment buf, long[] stats) {
        long txn = TxnMessage.txnId(buf);
        long lock = r + LOCK;
        int status = switch (op) {
            case Op.TXN_READ, Op.TXN_VALIDATE -> Status.OK;
            case Op.TXN_LOCK_SHARED, Op.TXN_LOCK_EXCLUSIVE, Op.TXN_OCC_LOCK -> lock(op, lock, txn, stats);
            case Op.TXN_RELEASE_SHARED -> LockRules.unlockShared(table, lock, txn);
            case Op.TXN_RELEASE_EXCLUSIVE, Op.TXN_OCC_ABORT -> LockRules.unlockExclusive(table, lock, txn);
            default -> install(op, r, buf, txn);
        };
        if (status == Status.GRANT || op == Op.TXN_READ || op == Op.TXN_VALIDATE) {
            reply(r, buf);
        }
        return status;
    }

    /**
     * A lock on the entry at {@code lock} (spin held): the rules of {@link LockRules}, a grant now
     * starting a lease, and a conflict with a lock whose lease ran out taken over and asked again,
     * as {@code lock_op} in shard.bpf.c.
     */
    private int lock(int op, long lock, long txn, long[] stats) {
        long now = System.nanoTime(); // CLOCK_MONOTONIC, as the kernel's bpf_ktime_get_ns()
        int status = op == Op.TXN_LOCK_SHARED ? LockRules.shared(table, lock, txn, now) : LockRules.exclusive(table, lock, txn, now);
        if (status == Status.REJECT && takeOver(lock, now, stats)) {
            status = op == Op.TXN_LOCK_SHARED ? LockRules.shared(table, lock, txn, now) : LockRules.exclusive(table, lock, txn, now);
        }
        return status;
    }

    /** True when txn still holds the lock op granted it on record r. */
    private boolean holds(long r, int op, long txn) {
        return op == Op.TXN_LOCK_SHARED ? LockRules.holdsShared(table, r + LOCK, txn) : LockRules.holdsExclusive(table, r + LOCK, txn);
    }

    /**
     * Takes the lock entry at {@code lock} (spin held) over when its lease ran out
     * ({@link LockRules#lapsed}) unless its holder logged here (pinned); the epoch advances, as
     * {@code take_over} in shard.bpf.c.
     */
    private boolean takeOver(long lock, long now, long[] stats) {
        long holder = LockRules.lapsed(table, lock, now, lockLeaseMs * 1_000_000L);
        if (holder == 0 || pinned.contains(holder)) {
            return false;
        }
        LockRules.takeOver(table, lock);
        if ((epoch.incrementAndGet() & 0xffff) == 0) {
            epoch.incrementAndGet(); // never 0: a LOG's 0 means "no locks here"
        }
        stats[Stat.TXN_LOCK_TAKEOVER]++;
        return true;
    }

    /**
     * Transactions that logged here (about the most recent {@code capacity} of them, as the
     * kernel's LRU map keeps them): their locks are pinned, no lease takes them over. Four-way
     * sets, the oldest of a full set replaced; the arrays are allocated once, so a long run does
     * not grow the heap.
     */
    private static final class Pinned {
        private static final int WAYS = 4;
        private final long[] txns;
        private final long[] stamps;
        private final int sets;
        private long clock;

        Pinned(int capacity) {
            sets = Integer.highestOneBit(Math.max(1, capacity / WAYS));
            txns = new long[sets * WAYS];
            stamps = new long[sets * WAYS];
        }

        synchronized void add(long txn) {
            int base = (int) (Hash64.hash(txn) & (sets - 1)) * WAYS;
            int oldest = base;
            for (int i = base; i < base + WAYS; i++) {
                if (txns[i] == txn) {
                    stamps[i] = ++clock;
                    return;
                }
                if (stamps[i] < stamps[oldest]) {
                    oldest = i;
                }
            }
            txns[oldest] = txn;
            stamps[oldest] = ++clock;
        }

        synchronized boolean contains(long txn) {
            int base = (int) (Hash64.hash(txn) & (sets - 1)) * WAYS;
            for (int i = base; i < base + WAYS; i++) {
                if (txns[i] == txn && stamps[i] != 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Backup and primary installs: APPLIED when newer than the record, ALREADY_APPLIED when the
     * record is this write already, REFUSED otherwise; the reply carries the record's version.
     * An unlocking install releases the writer's lock unless refused.
     */
    private int install(int op, long r, MemorySegment buf, long txn) {
        int status = installIfNewer(r, TxnMessage.version(buf), !isDelete(op), buf, Wire.TXN_VALUE);
        TxnMessage.setVersion(buf, table.get(JAVA_INT, r + VERSION));
        if ((TxnMessage.flags(buf) & Wire.TXN_F_UNLOCK) != 0 && status != Status.REFUSED) {
            LockRules.unlockExclusive(table, r + LOCK, txn);
        }
        return status;
    }

    /**
     * Sets record r (spin held) to version, existence and value (zeros when it does not exist) if
     * the version is newer: APPLIED. The same version with the same existence and value is this
     * write again, ALREADY_APPLIED; an older version, or the same one with other content, is
     * REFUSED and changes nothing.
     */
    private int installIfNewer(long r, int version, boolean exists, MemorySegment src, long valueOffset) {
        int order = Integer.compareUnsigned(version, table.get(JAVA_INT, r + VERSION));
        if (order == 0) {
            boolean had = (table.get(JAVA_INT, r + FLAGS) & Wire.TXN_F_EXISTS) != 0;
            boolean same = had == exists && (!exists || MemorySegment.mismatch(src, valueOffset,
                    valueOffset + TxnMessage.VALUE_SIZE, table, r + VALUE, r + VALUE + TxnMessage.VALUE_SIZE) < 0);
            return same ? Status.ALREADY_APPLIED : Status.REFUSED;
        }
        if (order < 0) {
            return Status.REFUSED;
        }
        table.set(JAVA_INT, r + VERSION, version);
        table.set(JAVA_INT, r + FLAGS, exists ? Wire.TXN_F_EXISTS : 0);
        if (exists) {
            MemorySegment.copy(src, valueOffset, table, r + VALUE, TxnMessage.VALUE_SIZE);
        } else {
            table.asSlice(r + VALUE, TxnMessage.VALUE_SIZE).fill((byte) 0);
        }
        return Status.APPLIED;
    }

    // ---- records for the xdp backend's slow path: no locks (the kernel keeps them), no dedup ----

    /**
     * Fills the reply's version, value and existence flag (the other flags kept) with key's record
     * and writes the record as a cache object at {@code obj} in the reply's trailer; false, leaving
     * both as they were, when there is no record.
     */
    boolean readRecord(long key, MemorySegment buf, long obj) {
        long r = find(key, false);
        if (r < 0) {
            return false;
        }
        spin(r);
        try {
            TxnMessage.setVersion(buf, table.get(JAVA_INT, r + VERSION));
            TxnMessage.setFlags(buf, (TxnMessage.flags(buf) & ~Wire.TXN_F_EXISTS) | table.get(JAVA_INT, r + FLAGS));
            TxnMessage.putValue(buf, table, r + VALUE);
            copyObject(r, key, buf, obj);
        } finally {
            INT.setRelease(table, r + SPIN, 0);
        }
        return true;
    }

    /**
     * Installs a cache object {key, version | {@link Wire#TXN_OBJ_EXISTS}, value} at {@code obj}
     * in {@code src} as an install request is (creating the record), and with {@code answer}
     * writes the record as it then is back over the object. Returns the install's status, or
     * NO_SPACE when the table is full.
     */
    int installObject(MemorySegment src, long obj, boolean answer) {
        long key = src.get(JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_KEY);
        long version = src.get(JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_VERSION);
        long r = key == 0 ? -1 : find(key, true);
        if (r < 0) {
            return Status.NO_SPACE;
        }
        spin(r);
        try {
            int status = installIfNewer(r, (int) version, (version & Wire.TXN_OBJ_EXISTS) != 0, src, obj + Wire.KV_OBJECT_VALUE);
            if (answer) {
                copyObject(r, key, src, obj);
            }
            return status;
        } finally {
            INT.setRelease(table, r + SPIN, 0);
        }
    }

    /** Installs record {@code key} as an install request does, creating it; NO_SPACE when the table is full. */
    int installRecord(long key, int version, boolean exists, MemorySegment src, long valueOffset) {
        long r = key == 0 ? -1 : find(key, true);
        if (r < 0) {
            return Status.NO_SPACE;
        }
        spin(r);
        try {
            return installIfNewer(r, version, exists, src, valueOffset);
        } finally {
            INT.setRelease(table, r + SPIN, 0);
        }
    }

    /** Installs every record of {@code other} here as an install would (the newer version stays). */
    public void installAll(ShardStore other) {
        MemorySegment t = other.table();
        other.forEachRecord(r -> {
            int version = t.get(JAVA_INT, r + VERSION);
            boolean exists = (t.get(JAVA_INT, r + FLAGS) & Wire.TXN_F_EXISTS) != 0;
            if ((version != 0 || exists) && installRecord(t.get(JAVA_LONG, r + KEY), version, exists, t, r + VALUE) == Status.NO_SPACE) {
                throw new IllegalStateException("a store of " + capacity + " records cannot hold another's " + other.capacity);
            }
        });
    }

    /** The version of key's record, or 0 when there is none. */
    int version(long key) {
        long r = find(key, false);
        return r < 0 ? 0 : table.get(JAVA_INT, r + VERSION);
    }

    /** Writes record r (of key; spin held) as a cache object at {@code obj} in {@code dst}. */
    private void copyObject(long r, long key, MemorySegment dst, long obj) {
        long exists = (table.get(JAVA_INT, r + FLAGS) & Wire.TXN_F_EXISTS) != 0 ? Wire.TXN_OBJ_EXISTS : 0;
        dst.set(JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_KEY, key);
        dst.set(JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_VERSION, Integer.toUnsignedLong(table.get(JAVA_INT, r + VERSION)) | exists);
        MemorySegment.copy(table, r + VALUE, dst, obj + Wire.KV_OBJECT_VALUE, TxnMessage.VALUE_SIZE);
    }

    /** Waits for record r's spin word: the slow path serves what the kernel has already admitted. */
    private void spin(long r) {
        while (!INT.compareAndSet(table, r + SPIN, 0, 1)) {
            Thread.onSpinWait();
        }
    }

    /** Fills the reply with the record's version, flags (LOCKED when another transaction holds it) and value. */
    private void reply(long r, MemorySegment buf) {
        TxnMessage.setVersion(buf, table.get(JAVA_INT, r + VERSION));
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
    public Map<String, Object> dumpRecords(java.nio.file.Path records, java.nio.file.Path logRecords) {
        return Map.of("records", RecordFile.write(this, records), "log_records", log.dump(logRecords));
    }

    /**
     * Copies record r, under its spin word, as a snapshot entry ({@link ShardSnapshots}) into
     * {@code entry}; false for a record a lock created and no install ever wrote.
     */
    boolean copyRecord(long r, MemorySegment entry) {
        spin(r);
        try {
            int version = table.get(JAVA_INT, r + VERSION);
            int flags = table.get(JAVA_INT, r + FLAGS);
            if (version == 0 && (flags & Wire.TXN_F_EXISTS) == 0) {
                return false;
            }
            entry.set(JAVA_LONG_UNALIGNED, ShardSnapshots.KEY, table.get(JAVA_LONG, r + KEY));
            entry.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, ShardSnapshots.VERSION, version);
            entry.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, ShardSnapshots.EXISTS, flags & Wire.TXN_F_EXISTS);
            MemorySegment.copy(table, r + VALUE, entry, ShardSnapshots.VALUE, TxnMessage.VALUE_SIZE);
            return true;
        } finally {
            INT.setRelease(table, r + SPIN, 0);
        }
    }

    /** Calls {@code visit} with the offset of every record ever created (existing or deleted). */
    void forEachRecord(java.util.function.LongConsumer visit) {
        for (long i = 0; i <= mask; i++) {
            long r = i * RECORD;
            if (table.get(JAVA_LONG, r + KEY) != 0) {
                visit.accept(r);
            }
        }
    }

    MemorySegment table() {
        return table;
    }

    /** True when key's record exists (for referential checks). */
    boolean exists(long key) {
        long r = find(key, false);
        return r >= 0 && (table.get(JAVA_INT, r + FLAGS) & Wire.TXN_F_EXISTS) != 0;
    }

    @Override
    public void close() {
        arena.close();
        if (dedup != null) {
            dedup.close();
        }
        if (log != null) {
            log.close();
        }
    }
}
