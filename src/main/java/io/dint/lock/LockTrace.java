package io.dint.lock;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A trace of lock transactions with the paper's parameters: each transaction takes 5–10 distinct
 * lock ids drawn uniformly from {@code [0, lockIds)}, in ascending order, each shared with
 * probability {@code sharedFraction}. Stored flat (ids, modes, per-transaction offsets) so a load
 * generator walks it without allocating; deterministic for a seed.
 */
public final class LockTrace {
    public static final int MIN_LOCKS = 5;
    public static final int MAX_LOCKS = 10;

    private final long[] ids;
    private final boolean[] exclusive;
    private final int[] start; // transaction t spans [start[t], start[t + 1])
    private final long lockIds;

    private LockTrace(long[] ids, boolean[] exclusive, int[] start, long lockIds) {
        this.ids = ids;
        this.exclusive = exclusive;
        this.start = start;
        this.lockIds = lockIds;
    }

    /** Parameters of a trace; {@link #paper(long, int, long)} gives the paper's but for the id count. */
    public record Params(long lockIds, double sharedFraction, int transactions, long seed) {
        public Params {
            if (lockIds < MAX_LOCKS) {
                throw new IllegalArgumentException("need at least " + MAX_LOCKS + " lock ids, got " + lockIds);
            }
            if (!(sharedFraction >= 0 && sharedFraction <= 1)) {
                throw new IllegalArgumentException("shared fraction must be in [0, 1], got " + sharedFraction);
            }
            if (transactions <= 0) {
                throw new IllegalArgumentException("transactions must be positive, got " + transactions);
            }
        }

        /** 80% shared, as in the paper; the paper used 24M lock ids. */
        public static Params paper(long lockIds, int transactions, long seed) {
            return new Params(lockIds, 0.8, transactions, seed);
        }
    }

    public static LockTrace generate(Params p) {
        SplittableRandom rnd = new SplittableRandom(p.seed());
        int[] start = new int[p.transactions() + 1];
        long[] ids = new long[p.transactions() * MAX_LOCKS];
        boolean[] excl = new boolean[ids.length];
        int n = 0;
        long[] txn = new long[MAX_LOCKS];
        for (int t = 0; t < p.transactions(); t++) {
            start[t] = n;
            int k = MIN_LOCKS + rnd.nextInt(MAX_LOCKS - MIN_LOCKS + 1);
            for (int i = 0; i < k; i++) {
                long id;
                do {
                    id = rnd.nextLong(p.lockIds());
                } while (contains(txn, i, id));
                txn[i] = id;
            }
            Arrays.sort(txn, 0, k);
            for (int i = 0; i < k; i++) {
                ids[n] = txn[i];
                excl[n] = rnd.nextDouble() >= p.sharedFraction();
                n++;
            }
        }
        start[p.transactions()] = n;
        return new LockTrace(Arrays.copyOf(ids, n), Arrays.copyOf(excl, n), start, p.lockIds());
    }

    private static boolean contains(long[] a, int n, long v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    public int transactions() {
        return start.length - 1;
    }

    public long lockIds() {
        return lockIds;
    }

    /** Number of locks of transaction {@code t}. */
    public int size(int t) {
        return start[t + 1] - start[t];
    }

    public long lockId(int t, int i) {
        return ids[start[t] + i];
    }

    public boolean exclusive(int t, int i) {
        return exclusive[start[t] + i];
    }

    /** Total lock acquisitions in the trace. */
    public int totalLocks() {
        return ids.length;
    }
}
