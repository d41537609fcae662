package io.dint.check;

import java.util.Arrays;

/**
 * What committed transactions read and wrote, for the serializability check: each read names the
 * version it saw, each write the version it created. Versions of a key are totally ordered, as the
 * servers number them (every committed write bumps the key's version). Stored flat in primitive
 * arrays, so millions of transactions fit; thread-confined while recording — merge per-thread
 * histories with {@link #addAll}.
 */
public final class History {
    private long[] txnIds = new long[1024];
    private int[] firstOp = new int[1025];
    private int txns;

    private long[] keys = new long[4096];
    private long[] versions = new long[4096];
    private boolean[] writes = new boolean[4096];
    private int ops;
    private boolean open;

    /** Starts recording a committed transaction's accesses. */
    public void begin(long txnId) {
        if (open) {
            throw new IllegalStateException("transaction " + txnIds[txns] + " is still being recorded: call commit() first");
        }
        if (txns + 1 >= txnIds.length) {
            txnIds = Arrays.copyOf(txnIds, txnIds.length * 2);
            firstOp = Arrays.copyOf(firstOp, firstOp.length * 2);
        }
        txnIds[txns] = txnId;
        firstOp[txns] = ops;
        open = true;
    }

    public void read(long key, long version) {
        add(key, version, false);
    }

    public void write(long key, long newVersion) {
        add(key, newVersion, true);
    }

    public void commit() {
        if (!open) {
            throw new IllegalStateException("commit() without begin()");
        }
        txns++;
        firstOp[txns] = ops;
        open = false;
    }

    private void add(long key, long version, boolean write) {
        if (!open) {
            throw new IllegalStateException("an access outside begin()/commit()");
        }
        if (ops == keys.length) {
            keys = Arrays.copyOf(keys, ops * 2);
            versions = Arrays.copyOf(versions, ops * 2);
            writes = Arrays.copyOf(writes, ops * 2);
        }
        keys[ops] = key;
        versions[ops] = version;
        writes[ops] = write;
        ops++;
    }

    /** Appends every committed transaction of {@code other}. */
    public void addAll(History other) {
        for (int t = 0; t < other.txns; t++) {
            begin(other.txnIds[t]);
            for (int o = other.firstOp[t]; o < other.firstOp[t + 1]; o++) {
                add(other.keys[o], other.versions[o], other.writes[o]);
            }
            commit();
        }
    }

    public int transactions() {
        return txns;
    }

    public int accesses() {
        return ops;
    }

    long txnId(int t) {
        return txnIds[t];
    }

    int firstOp(int t) {
        return firstOp[t];
    }

    long key(int op) {
        return keys[op];
    }

    long version(int op) {
        return versions[op];
    }

    boolean isWrite(int op) {
        return writes[op];
    }
}
