package io.dint.shard;

import static io.dint.shard.RecordTable.FLAGS;
import static io.dint.shard.RecordTable.VALUE;
import static io.dint.shard.RecordTable.VERSION;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import io.dint.wire.Zeros;
import java.lang.foreign.MemorySegment;

/**
 * How a record changes: only to a newer version. Every write of a record goes through {@link
 * #ifNewer} — a request's install ({@link ShardStore}), a cache object the kernel wrote back
 * ({@link RecordObjects}), a replica's snapshot ({@link ShardRecovery}), a commit log replayed
 * ({@link ShardLog}), another table's records ({@link #all}) — so replicas, logs and caches agree
 * on which write wins whatever order they arrive in. {@link #repair} mends the records a killed
 * process left half written.
 */
final class Installs {
    private Installs() {}

    /**
     * Sets record r of {@code t} (spin held) to version, existence and value (zeros when it does
     * not exist) if the version is newer: APPLIED. The same version with the same existence and
     * value is this write again, ALREADY_APPLIED; an older version, or the same one with other
     * content, is REFUSED and changes nothing.
     */
    static int ifNewer(RecordTable t, long r, int version, boolean exists, MemorySegment src, long valueOffset) {
        MemorySegment m = t.memory();
        int order = Integer.compareUnsigned(version, m.get(JAVA_INT, r + VERSION));
        if (order == 0) {
            boolean same = t.existsAt(r) == exists && (!exists || MemorySegment.mismatch(src, valueOffset,
                    valueOffset + TxnMessage.VALUE_SIZE, m, r + VALUE, r + VALUE + TxnMessage.VALUE_SIZE) < 0);
            return same ? Status.ALREADY_APPLIED : Status.REFUSED;
        }
        if (order < 0) {
            return Status.REFUSED;
        }
        m.set(JAVA_INT, r + VERSION, version);
        m.set(JAVA_INT, r + FLAGS, exists ? Wire.TXN_F_EXISTS : 0);
        if (exists) {
            MemorySegment.copy(src, valueOffset, m, r + VALUE, TxnMessage.VALUE_SIZE);
        } else {
            Zeros.fill(m, r + VALUE, TxnMessage.VALUE_SIZE);
        }
        return Status.APPLIED;
    }

    /**
     * Installs record {@code key} of {@code t} as an install request does, creating it, under its
     * spin word; NO_SPACE when the table is full.
     */
    static int record(RecordTable t, long key, int version, boolean exists, MemorySegment src, long valueOffset) {
        long r = key == 0 ? -1 : t.find(key, true);
        if (r < 0) {
            return Status.NO_SPACE;
        }
        t.spin(r);
        try {
            return ifNewer(t, r, version, exists, src, valueOffset);
        } finally {
            t.unspin(r);
        }
    }

    /**
     * Installs every written record of {@code from} into {@code into} (the newer version stays).
     *
     * @throws IllegalStateException when {@code into} has no room for them
     */
    static void all(RecordTable into, RecordTable from) {
        from.forEachRecord(r -> {
            if (from.writtenAt(r) && record(into, from.keyAt(r), from.versionAt(r), from.existsAt(r), from.memory(), r + VALUE)
                    == Status.NO_SPACE) {
                throw new IllegalStateException("a store of " + into.capacity() + " records cannot hold another's " + from.capacity());
            }
        });
    }

    /**
     * Sets every {@link RecordTable#torn torn} record of {@code t} to what {@code replayed} (its
     * commit log replayed) holds of it: the last write logged of it, which is the install that was
     * under way (its writer holds the lock, so nothing newer was logged). Returns how many were
     * repaired.
     */
    static int repair(RecordTable t, RecordTable replayed) {
        int n = 0;
        MemorySegment m = t.memory(), src = replayed.memory();
        for (long key : t.torn()) {
            long l = replayed.find(key, false);
            long r = t.find(key, false);
            if (l < 0 || r < 0) {
                continue;
            }
            t.spin(r);
            try {
                m.set(JAVA_INT, r + VERSION, src.get(JAVA_INT, l + VERSION));
                m.set(JAVA_INT, r + FLAGS, src.get(JAVA_INT, l + FLAGS));
                MemorySegment.copy(src, l + VALUE, m, r + VALUE, TxnMessage.VALUE_SIZE);
                n++;
            } finally {
                t.unspin(r);
            }
        }
        return n;
    }
}
