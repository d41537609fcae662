package io.dint.check;

import static io.dint.check.SerializabilityChecker.txn;

import io.dint.check.SerializabilityChecker.Anomaly;
import java.util.Arrays;

/**
 * A history's accesses as the checker needs them: each one's transaction and role, and grouped by
 * key, each group sorted by version and role. A role is what the access means for the chains of
 * installed versions: the last write of its key in a committed transaction (it installed a
 * version), an earlier write of the key in that transaction (overwritten before commit), a read,
 * or a write of an aborted attempt (never installed). A transaction's writes of one key must grow;
 * one that does not is a version-order finding, reported here.
 */
final class Accesses {
    static final int FINAL = 0, INTERMEDIATE = 1, ABORTED = 2, READ = 3;

    /** An access index takes the low 30 bits of a packed access ({@link #packed}). */
    private static final int OP_BITS = 30;

    private final History h;
    /** Each access's transaction (index in the history). */
    final int[] owner;
    /** Each access's role: {@link #FINAL}, {@link #INTERMEDIATE}, {@link #ABORTED} or {@link #READ}. */
    final byte[] role;
    /** For a final write: the same transaction's first write of the key (itself when it is the only one). */
    final int[] firstWrite;

    // by key: dense ids in first-seen order; key k's accesses are packed[start[k] .. start[k + 1] - 1]
    private final KeyIndex ids;
    private final int[] start;
    private final long[] packed;
    private final int[] initial; // key k's initial version, as an index of the history's initial versions, or -1

    /** Gives each access of h its role, reporting to {@code findings}, then groups the accesses by key. */
    Accesses(History h, Findings findings) {
        int m = h.accesses();
        if (m >= 1 << OP_BITS) {
            throw new IllegalArgumentException("a history of " + m + " accesses is more than the checker indexes (2^30)");
        }
        this.h = h;
        this.owner = new int[m];
        this.role = new byte[m];
        this.firstWrite = new int[m];
        roles(findings);
        this.ids = new KeyIndex(m);
        int[] id = new int[m];
        for (int o = 0; o < m; o++) {
            id[o] = ids.add(h.key(o));
        }
        int keys = ids.size();
        this.start = new int[keys + 1];
        for (int o = 0; o < m; o++) {
            start[id[o] + 1]++;
        }
        for (int k = 0; k < keys; k++) {
            start[k + 1] += start[k];
        }
        int[] fill = Arrays.copyOf(start, keys);
        this.packed = new long[m];
        for (int o = 0; o < m; o++) {
            // the sign bit flipped so that a signed sort orders versions as unsigned
            packed[fill[id[o]]++] = (h.version(o) << 32 | (long) role[o] << OP_BITS | o) ^ Long.MIN_VALUE;
        }
        for (int k = 0; k < keys; k++) {
            Arrays.sort(packed, start[k], start[k + 1]);
        }
        for (int i = 0; i < m; i++) {
            packed[i] ^= Long.MIN_VALUE;
        }
        this.initial = new int[keys];
        Arrays.fill(initial, -1);
        for (int i = 0; i < h.initialVersions(); i++) {
            int k = ids.find(h.initialKey(i));
            if (k >= 0 && (initial[k] < 0 || h.initialVersion(i) > h.initialVersion(initial[k]))) {
                initial[k] = i; // the highest declared version counts
            }
        }
    }

    /** Each access's role; a transaction's writes of one key must grow. */
    private void roles(Findings findings) {
        for (int t = 0; t < h.recorded(); t++) {
            int a = h.firstOp(t), b = h.firstOp(t + 1);
            boolean abort = h.isAborted(t);
            for (int o = a; o < b; o++) {
                owner[o] = t;
                if (abort) {
                    role[o] = ABORTED;
                    continue;
                }
                if (!h.isWrite(o)) {
                    role[o] = READ;
                    continue;
                }
                int previous = -1, later = -1;
                firstWrite[o] = o;
                for (int p = a; p < b; p++) {
                    if (p != o && h.isWrite(p) && h.key(p) == h.key(o)) {
                        if (p < o) {
                            previous = p;
                            firstWrite[o] = Math.min(firstWrite[o], p);
                        } else if (later < 0) {
                            later = p;
                        }
                    }
                }
                role[o] = (byte) (later < 0 ? FINAL : INTERMEDIATE);
                if (previous >= 0 && h.version(o) <= h.version(previous)) {
                    int op = o, prior = previous, txn = t;
                    findings.add(Anomaly.VERSION_ORDER, () -> txn(h.txnId(txn)) + " wrote key " + Long.toHexString(h.key(op))
                            + " version " + h.version(op) + " after its own version " + h.version(prior));
                }
            }
        }
    }

    /** Keys accessed. */
    int keys() {
        return start.length - 1;
    }

    /** Key k (a dense id). */
    long key(int k) {
        return ids.key(k);
    }

    /** The index in {@link #packed} of key k's first access. */
    int start(int k) {
        return start[k];
    }

    /** The index in {@link #packed} after key k's last access. */
    int end(int k) {
        return start[k + 1];
    }

    /** Key k's initial version as an index of the history's initial versions, or -1 when none was declared. */
    int initial(int k) {
        return initial[k];
    }

    /** Access i in key order: its version in the high 32 bits, its role and its index below. */
    long packed(int i) {
        return packed[i];
    }

    /** The access index of packed access {@code p}. */
    static int op(long p) {
        return (int) (p & ((1 << OP_BITS) - 1));
    }

    /** The version of packed access {@code p}. */
    static long version(long p) {
        return p >>> 32;
    }
}
