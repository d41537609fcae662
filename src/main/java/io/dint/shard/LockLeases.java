package io.dint.shard;

import io.dint.lock.LockRules;
import io.dint.wire.Hash64;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Java shard's locks under leases, as {@code shard.bpf.c} keeps them (README, "Recovery"): the
 * rules of {@link LockRules} on each record's lock entry, every grant starting a lease, and a
 * conflict with a lock whose lease ran out taken over — unless its holder logged here (it is
 * pinned: it may be committed) — which advances the shard's epoch, the one every reply carries.
 */
final class LockLeases {
    private final AtomicInteger epoch = new AtomicInteger();
    private volatile int leaseMs;
    private final Pinned pinned = new Pinned(Wire.SHARD_PINNED);

    /** Sets the epoch every reply carries (its low 16 bits; never 0 in a served shard). */
    void setEpoch(int e) {
        epoch.set(e);
    }

    /** The epoch replies carry now (16 bits). */
    int epoch() {
        return epoch.get() & 0xffff;
    }

    /** A lock granted longer ago than this may be taken over, unless pinned; 0: never. */
    void setLease(int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("the lock lease must be >= 0 ms, got " + ms);
        }
        leaseMs = ms;
    }

    /** Pins {@code txn}, which logged here: from now on it may be committed, and no lease takes its locks over. */
    void pin(long txn) {
        pinned.add(txn);
    }

    /**
     * Lock op of {@code txn} on the entry at {@code lock} in {@code t} (spin held): the rules of
     * {@link LockRules}, a grant now starting a lease, and a conflict with a lock whose lease ran
     * out taken over and asked again, as {@code lock_op} in shard.bpf.c.
     */
    int lock(MemorySegment t, long lock, int op, long txn, long[] stats) {
        long now = System.nanoTime(); // CLOCK_MONOTONIC, as the kernel's bpf_ktime_get_ns()
        int status = op == Op.TXN_LOCK_SHARED ? LockRules.shared(t, lock, txn, now) : LockRules.exclusive(t, lock, txn, now);
        if (status == Status.REJECT && takeOver(t, lock, now, stats)) {
            status = op == Op.TXN_LOCK_SHARED ? LockRules.shared(t, lock, txn, now) : LockRules.exclusive(t, lock, txn, now);
        }
        return status;
    }

    /** True when {@code txn} still holds the lock {@code op} granted it on the entry at {@code lock}. */
    static boolean holds(MemorySegment t, long lock, int op, long txn) {
        return op == Op.TXN_LOCK_SHARED ? LockRules.holdsShared(t, lock, txn) : LockRules.holdsExclusive(t, lock, txn);
    }

    /**
     * Takes the lock entry at {@code lock} (spin held) over when its lease ran out
     * ({@link LockRules#lapsed}) unless its holder logged here (pinned); the epoch advances, as
     * {@code take_over} in shard.bpf.c.
     */
    private boolean takeOver(MemorySegment t, long lock, long now, long[] stats) {
        long holder = LockRules.lapsed(t, lock, now, leaseMs * 1_000_000L);
        if (holder == 0 || pinned.contains(holder)) {
            return false;
        }
        LockRules.takeOver(t, lock);
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
}
