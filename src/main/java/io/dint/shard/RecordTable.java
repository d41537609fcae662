package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.wire.Hash64;
import io.dint.wire.RecordDigest;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A shard's records in off-heap memory: the layout of one record, the slot a key lands in, and
 * the record's spin word. Open addressing keyed by the 8-byte key, linear probing, a power of two
 * of slots; 0 is never a key (every key carries a table tag in its top byte), so a zero key marks
 * a free slot, and a slot once taken by a key is never freed (a deleted record stays, absent).
 * What a record's fields mean and how they change is the business of the classes that use the
 * table ({@link ShardStore}, {@link Installs}, {@link LockLeases}); this one only lays them out.
 *
 * <pre>
 * one record, RECORD = 96 bytes, at slot * RECORD:
 *
 *  0       8                                 48        52      56                   96
 *  +-------+---------------------------------+---------+-------+--------------------+
 *  | key   | lock: struct dint_lock_entry    | version | flags | value              |
 *  | u64   | (40 bytes; its spin word, SPIN, | u32     | u32   | 40 bytes           |
 *  |       |  guards the whole record)       |         |       |                    |
 *  +-------+---------------------------------+---------+-------+--------------------+
 *  KEY     LOCK                              VERSION   FLAGS   VALUE
 * </pre>
 *
 * The table lives in this process's memory, or in a file (on /dev/shm: memory that outlives the
 * process) that a successor maps again; the records a killed process was changing when it died
 * are {@link #torn}.
 */
final class RecordTable implements AutoCloseable {
    /** Offsets within a record, and its size. */
    static final int KEY = 0, LOCK = 8, SPIN = LOCK + Wire.LOCK_ENTRY_SPIN, VERSION = LOCK + Wire.LOCK_ENTRY_SIZE,
            FLAGS = VERSION + 4, VALUE = FLAGS + 4, RECORD = VALUE + TxnMessage.VALUE_SIZE;

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final long mask;
    private final long capacity;
    private final boolean taken;
    private final long[] torn;

    /**
     * A table for {@code capacity} records in this process's memory.
     *
     * @throws IllegalArgumentException when the capacity is not in 1..2^30
     */
    RecordTable(long capacity) {
        this(capacity, null);
    }

    /**
     * A table for {@code capacity} records in {@code file} (null: in this process's memory).
     * Opening a file a killed process left takes its records over: the spin words it held are
     * released, and the records under them are {@link #torn}.
     *
     * @throws IllegalStateException when the file holds a table of another size
     */
    RecordTable(long capacity, Path file) {
        if (capacity <= 0 || capacity > 1L << 30) {
            throw new IllegalArgumentException("shard capacity must be in 1..2^30 records, got " + capacity);
        }
        long bytes = bytesFor(capacity);
        this.mask = slotsFor(capacity) - 1;
        this.capacity = capacity;
        if (file == null) {
            this.memory = arena.allocate(bytes, 64);
            this.taken = false;
        } else {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                this.taken = ch.size() == bytes;
                if (!taken && ch.size() != 0) {
                    throw new IllegalStateException(file + " holds a store of another size (" + ch.size() + " bytes, not "
                            + bytes + "): serve with the capacity that made it, or remove it (losing its records)");
                }
                this.memory = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            } catch (IOException e) {
                arena.close();
                throw new UncheckedIOException("cannot map the store file " + file, e);
            } catch (RuntimeException e) {
                arena.close();
                throw e;
            }
        }
        this.torn = taken ? releaseSpins() : new long[0];
    }

    /** A taken-over table's records whose spin word was held: a killed process was in the middle of them. */
    private long[] releaseSpins() {
        List<Long> keys = new ArrayList<>();
        for (long i = 0; i <= mask; i++) {
            long r = i * RECORD;
            if (memory.get(JAVA_INT, r + SPIN) != 0) {
                keys.add(memory.get(JAVA_LONG, r + KEY));
                memory.set(JAVA_INT, r + SPIN, 0);
            }
        }
        return keys.stream().filter(k -> k != 0).mapToLong(Long::longValue).toArray();
    }

    /** Slots of a table for {@code capacity} records: a power of two above 1.5x. */
    static long slotsFor(long capacity) {
        return Long.highestOneBit(capacity * 3 / 2 + 1) << 1;
    }

    /** Native bytes a table for {@code capacity} records allocates (and zeroes) up front. */
    static long bytesFor(long capacity) {
        return slotsFor(capacity) * RECORD;
    }

    /** Records the table was made for. */
    long capacity() {
        return capacity;
    }

    /** Slots in the table. */
    long slots() {
        return mask + 1;
    }

    /** The records, {@link #RECORD} bytes each, laid out as the class comment draws. */
    MemorySegment memory() {
        return memory;
    }

    /** True when this table took over the records a killed process left in its file. */
    boolean takenOver() {
        return taken;
    }

    /** Keys of the records a killed process was changing when it died (their spin words were held). */
    long[] torn() {
        return torn.clone();
    }

    /** Offset of key's record, creating it when {@code create}; -1 when absent (or full). */
    long find(long key, boolean create) {
        long i = Hash64.hash(key) & mask;
        for (long probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
            long r = i * RECORD;
            // acquire: a key seen here was published by the CAS below, and its slot is taken for good
            long k = (long) LONG.getAcquire(memory, r + KEY);
            if (k == key) {
                return r;
            }
            if (k == 0) {
                if (!create) {
                    return -1;
                }
                long witness = (long) LONG.compareAndExchange(memory, r + KEY, 0L, key);
                if (witness == 0 || witness == key) {
                    return r;
                }
            }
        }
        return -1;
    }

    /** Takes record r's spin word if it is free; false when another thread holds it. */
    boolean trySpin(long r) {
        return INT.compareAndSet(memory, r + SPIN, 0, 1);
    }

    /** Waits for record r's spin word: the slow path serves what the kernel has already admitted. */
    void spin(long r) {
        while (!trySpin(r)) {
            Thread.onSpinWait();
        }
    }

    /** Releases record r's spin word; release: what was written under it is seen by the next holder. */
    void unspin(long r) {
        INT.setRelease(memory, r + SPIN, 0);
    }

    /** Calls {@code visit} with the offset of every record ever created (existing or deleted). */
    void forEachRecord(LongConsumer visit) {
        for (long i = 0; i <= mask; i++) {
            long r = i * RECORD;
            if (memory.get(JAVA_LONG, r + KEY) != 0) {
                visit.accept(r);
            }
        }
    }

    /** Record r's key. */
    long keyAt(long r) {
        return memory.get(JAVA_LONG, r + KEY);
    }

    /** Record r's version. */
    int versionAt(long r) {
        return memory.get(JAVA_INT, r + VERSION);
    }

    /** True when record r exists (an install wrote it, and no delete since). */
    boolean existsAt(long r) {
        return (memory.get(JAVA_INT, r + FLAGS) & Wire.TXN_F_EXISTS) != 0;
    }

    /** False for a record a lock created and no install ever wrote: the checks and copies leave it out. */
    boolean writtenAt(long r) {
        return versionAt(r) != 0 || existsAt(r);
    }

    /** Record r's {@link RecordDigest} term. */
    long termAt(long r) {
        return RecordDigest.term(keyAt(r), versionAt(r), existsAt(r), memory, r + VALUE);
    }

    /** The version of key's record, or 0 when there is none. */
    int version(long key) {
        long r = find(key, false);
        return r < 0 ? 0 : versionAt(r);
    }

    /** True when key's record exists (for referential checks). */
    boolean exists(long key) {
        long r = find(key, false);
        return r >= 0 && existsAt(r);
    }

    @Override
    public void close() {
        arena.close();
    }
}
