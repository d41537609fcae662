package io.dint.shard;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The commit log of a shard in user space: the LOG phase of every commit appends {key, value,
 * version, txn} here before any replica installs it. Kept in memory as a count and an
 * order-independent digest of what was appended, which the end-of-run checks compare with the
 * installs.
 */
public final class ShardLog {
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong digest = new AtomicLong();

    /** Appends one record; {@code msg} is the request carrying the value. */
    public void append(int op, long key, long txnId, int version, MemorySegment msg) {
        records.incrementAndGet();
        digest.addAndGet(io.dint.wire.Hash64.hash(key * 31 + version) ^ txnId);
    }

    public long records() {
        return records.get();
    }

    public long digest() {
        return digest.get();
    }
}
