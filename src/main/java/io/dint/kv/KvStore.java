package io.dint.kv;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.wire.Hash64;
import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Every key of the KV store, off the Java heap, in buckets numbered as the kernel's cache numbers
 * them ({@code fasthash64(key) % buckets}), so that a bucket's Bloom word can be rebuilt from the
 * keys of the same bucket on both sides.
 *
 * <p>Layout, chosen so the paper's 24M keys with 40-byte values fit in 2 GiB: a record of 64
 * bytes per key ({@code key, version, value[40], next}: one cache line, the chain link inside it)
 * in chunks of 65,536 records (4 MiB) allocated as the store grows, and a 16-byte header per
 * bucket ({@code lock, head, lease}). At 24M keys and 1.5x provisioning (9M buckets) that is
 * 24M x 64 + 9M x 16 bytes = 1.68 GB (1.57 GiB), about 70 bytes a key; deleted records are
 * reused. Buckets chain their records through {@code next}; a chain is as long as the bucket
 * has keys (2.7 on average at 1.5x provisioning).
 *
 * <p>Every operation on a bucket runs under that bucket's lock ({@link #lock}/{@link #unlock}: a
 * CAS on the header, spun on, held for a few hundred nanoseconds). Nothing allocates per
 * operation; a new chunk is allocated once per 65,536 inserts.
 */
public final class KvStore implements AutoCloseable {
    /** Bytes of one key's record. */
    public static final int RECORD_BYTES = 64;
    /** Bytes of one bucket's header. */
    public static final int BUCKET_BYTES = 16;

    private static final long R_KEY = 0, R_VERSION = 8, R_VALUE = 16, R_NEXT = 56;
    private static final long B_LOCK = 0, B_HEAD = 4, B_LEASE = 8;
    private static final int CHUNK_SHIFT = 16;
    private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
    private static final long CHUNK_BYTES = (long) RECORD_BYTES << CHUNK_SHIFT;
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final int VALUE = Wire.KV_VALUE_SIZE;

    private final Arena arena = Arena.ofShared();
    private final int buckets;
    private final MemorySegment headers;
    private final MemorySegment[] chunks = new MemorySegment[(Integer.MAX_VALUE >> CHUNK_SHIFT) + 1];
    private final Object allocation = new Object();
    private int bumped;     // records ever taken from chunks
    private int freeList;   // link of the first free record
    private long size;      // keys held

    /** A store of {@code buckets} buckets (see {@link #bucketsFor}). */
    public KvStore(int buckets) {
        if (buckets <= 0) {
            throw new IllegalArgumentException("bucket count must be positive, got " + buckets);
        }
        this.buckets = buckets;
        this.headers = arena.allocate((long) buckets * BUCKET_BYTES, 64);
    }

    /**
     * Buckets for {@code keys} keys when the kernel's cache has {@code cacheRatio} slots per key
     * ({@link Wire#KV_WAYS} slots a bucket); the paper's provisioning is 1.5.
     */
    public static int bucketsFor(long keys, double cacheRatio) {
        if (keys <= 0) {
            throw new IllegalArgumentException("key count must be positive, got " + keys);
        }
        if (!(cacheRatio > 0) || cacheRatio > 64) {
            throw new IllegalArgumentException("cache size must be in (0, 64] slots per key, got " + cacheRatio);
        }
        double b = Math.ceil(keys * cacheRatio / Wire.KV_WAYS);
        if (b > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException(keys + " keys x " + cacheRatio + " slots per key is more buckets than an array map holds");
        }
        return (int) b;
    }

    public int buckets() {
        return buckets;
    }

    public int bucketOf(long key) {
        return (int) Long.remainderUnsigned(Hash64.hash(key), buckets);
    }

    /** The key's bit in its bucket's Bloom word: the top 6 bits of its hash. */
    public static long bloomBit(long key) {
        return 1L << (Hash64.hash(key) >>> 58);
    }

    /** Keys held. */
    public long size() {
        synchronized (allocation) {
            return size;
        }
    }

    /** Native bytes the store holds: bucket headers and the record chunks allocated so far. */
    public long bytesUsed() {
        synchronized (allocation) {
            long chunksAllocated = ((long) bumped + CHUNK_MASK) >>> CHUNK_SHIFT;
            return headers.byteSize() + chunksAllocated * CHUNK_BYTES;
        }
    }

    public void lock(int bucket) {
        long at = (long) bucket * BUCKET_BYTES + B_LOCK;
        while (!INT.compareAndSet(headers, at, 0, 1)) {
            Thread.onSpinWait();
        }
    }

    public void unlock(int bucket) {
        INT.setRelease(headers, (long) bucket * BUCKET_BYTES + B_LOCK, 0);
    }

    /**
     * Applies {@code op} to the {@code struct dint_kv_object} at {@code obj[off]} as the wire
     * defines it, rewriting the object into the reply: GET copies the version and value in, SET
     * stores the value and writes the new version, INSERT stores the object with version 1,
     * DELETE removes the key; NOT_EXIST and EXISTS leave the object untouched. The caller holds
     * {@code bucket}'s lock, and {@code bucket} is the key's.
     *
     * @return the reply's {@link Status}
     */
    public int apply(int bucket, int op, MemorySegment obj, long off) {
        long key = obj.get(JAVA_LONG_UNALIGNED, off + Wire.KV_OBJECT_KEY);
        int link = find(bucket, key);
        if (op == Op.KV_INSERT) {
            if (link != 0) {
                return Status.KV_EXISTS;
            }
            obj.set(JAVA_LONG_UNALIGNED, off + Wire.KV_OBJECT_VERSION, 1L);
            add(bucket, key, 1L, obj, off + Wire.KV_OBJECT_VALUE);
            return Status.KV_OK;
        }
        if (link == 0) {
            return Status.KV_NOT_EXIST;
        }
        MemorySegment c = chunk(link);
        long r = offset(link);
        switch (op) {
            case Op.KV_GET -> {
                obj.set(JAVA_LONG_UNALIGNED, off + Wire.KV_OBJECT_VERSION, c.get(JAVA_LONG, r + R_VERSION));
                MemorySegment.copy(c, r + R_VALUE, obj, off + Wire.KV_OBJECT_VALUE, VALUE);
            }
            case Op.KV_SET -> {
                long version = c.get(JAVA_LONG, r + R_VERSION) + 1;
                c.set(JAVA_LONG, r + R_VERSION, version);
                MemorySegment.copy(obj, off + Wire.KV_OBJECT_VALUE, c, r + R_VALUE, VALUE);
                obj.set(JAVA_LONG_UNALIGNED, off + Wire.KV_OBJECT_VERSION, version);
            }
            case Op.KV_DELETE -> remove(bucket, key);
            default -> throw new IllegalArgumentException("not a KV operation: " + op);
        }
        return Status.KV_OK;
    }

    /** Stores the object at {@code obj[off]} as it is (key, version, value), adding the key if new. */
    public void writeBack(int bucket, MemorySegment obj, long off) {
        long key = obj.get(JAVA_LONG_UNALIGNED, off + Wire.KV_OBJECT_KEY);
        long version = obj.get(JAVA_LONG_UNALIGNED, off + Wire.KV_OBJECT_VERSION);
        int link = find(bucket, key);
        if (link == 0) {
            add(bucket, key, version, obj, off + Wire.KV_OBJECT_VALUE);
            return;
        }
        MemorySegment c = chunk(link);
        long r = offset(link);
        c.set(JAVA_LONG, r + R_VERSION, version);
        MemorySegment.copy(obj, off + Wire.KV_OBJECT_VALUE, c, r + R_VALUE, VALUE);
    }

    /** The Bloom word of the keys of {@code bucket}: each key's bit. The caller holds the lock. */
    public long bloom(int bucket) {
        long bloom = 0;
        for (int link = first(bucket); link != 0; link = next(link)) {
            bloom |= bloomBit(key(link));
        }
        return bloom;
    }

    /**
     * Orders the slow path's requests on a bucket by their kernel lease: true, and remembered, if
     * {@code lease} is not older than the newest seen; false for a request whose bucket lock was
     * taken over by a later one this store has already served. The caller holds the lock.
     */
    public boolean admitLease(int bucket, long lease) {
        long at = (long) bucket * BUCKET_BYTES + B_LEASE;
        if (lease < headers.get(JAVA_LONG, at)) {
            return false;
        }
        headers.set(JAVA_LONG, at, lease);
        return true;
    }

    /** Adds or replaces a key, for loading a data set; takes the bucket's lock. */
    public void put(long key, long version, MemorySegment value, long valueOffset) {
        int bucket = bucketOf(key);
        lock(bucket);
        try {
            int link = find(bucket, key);
            if (link == 0) {
                add(bucket, key, version, value, valueOffset);
            } else {
                chunk(link).set(JAVA_LONG, offset(link) + R_VERSION, version);
                MemorySegment.copy(value, valueOffset, chunk(link), offset(link) + R_VALUE, VALUE);
            }
        } finally {
            unlock(bucket);
        }
    }

    // ---- walking a bucket: links are record index + 1, 0 ends a chain ----

    /** The first record of a bucket's chain, 0 if it is empty. */
    public int first(int bucket) {
        return headers.get(JAVA_INT, (long) bucket * BUCKET_BYTES + B_HEAD);
    }

    public int next(int link) {
        return chunk(link).get(JAVA_INT, offset(link) + R_NEXT);
    }

    public long key(int link) {
        return chunk(link).get(JAVA_LONG, offset(link) + R_KEY);
    }

    public long version(int link) {
        return chunk(link).get(JAVA_LONG, offset(link) + R_VERSION);
    }

    /** Copies the record as a {@code struct dint_kv_object} to {@code dst[off]}. */
    public void copyObject(int link, MemorySegment dst, long off) {
        MemorySegment.copy(chunk(link), offset(link), dst, off, Wire.KV_OBJECT_SIZE);
    }

    /** The record of {@code key} in {@code bucket}, 0 if absent. The caller holds the lock. */
    public int find(int bucket, long key) {
        for (int link = first(bucket); link != 0; link = next(link)) {
            if (key(link) == key) {
                return link;
            }
        }
        return 0;
    }

    private void add(int bucket, long key, long version, MemorySegment value, long valueOffset) {
        int link = allocate();
        MemorySegment c = chunk(link);
        long r = offset(link);
        c.set(JAVA_LONG, r + R_KEY, key);
        c.set(JAVA_LONG, r + R_VERSION, version);
        MemorySegment.copy(value, valueOffset, c, r + R_VALUE, VALUE);
        long head = (long) bucket * BUCKET_BYTES + B_HEAD;
        c.set(JAVA_INT, r + R_NEXT, headers.get(JAVA_INT, head));
        headers.set(JAVA_INT, head, link);
    }

    private void remove(int bucket, long key) {
        long head = (long) bucket * BUCKET_BYTES + B_HEAD;
        int prev = 0;
        for (int link = first(bucket); link != 0; prev = link, link = next(link)) {
            if (key(link) == key) {
                int after = next(link);
                if (prev == 0) {
                    headers.set(JAVA_INT, head, after);
                } else {
                    chunk(prev).set(JAVA_INT, offset(prev) + R_NEXT, after);
                }
                release(link);
                return;
            }
        }
    }

    private int allocate() {
        synchronized (allocation) {
            size++;
            if (freeList != 0) {
                int link = freeList;
                freeList = next(link);
                return link;
            }
            if (bumped == Integer.MAX_VALUE - 1) {
                throw new IllegalStateException("KV store full: " + bumped + " records");
            }
            int index = bumped++;
            if ((index & CHUNK_MASK) == 0) {
                chunks[index >>> CHUNK_SHIFT] = arena.allocate(CHUNK_BYTES, 64);
            }
            return index + 1;
        }
    }

    private void release(int link) {
        synchronized (allocation) {
            size--;
            chunk(link).set(JAVA_INT, offset(link) + R_NEXT, freeList);
            freeList = link;
        }
    }

    private MemorySegment chunk(int link) {
        return chunks[(link - 1) >>> CHUNK_SHIFT];
    }

    private static long offset(int link) {
        return (long) ((link - 1) & CHUNK_MASK) * RECORD_BYTES;
    }

    @Override
    public void close() {
        arena.close();
    }
}
