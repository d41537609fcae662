package io.dint.check;

import io.dint.wire.Hash64;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * What the clients observed, for the serializability check: the initial version of every record
 * (the population), and for every committed transaction the version and value digest each read
 * returned and each write created; for aborted attempts the writes they would have made (never
 * installed), so that a read of one is recognised. Versions of a key are 32-bit unsigned numbers
 * that grow with every install (the servers keep the newer one); a key nobody declared has the
 * initial version 0, absent. A transaction's reads see the state before its own writes: the
 * coordinator installs writes only at commit.
 *
 * <p>Stored flat in primitive arrays, so millions of transactions fit; thread-confined while
 * recording — merge per-thread histories with {@link #addAll}.
 */
public final class History {
    /** The digest of a record that does not exist (never inserted, or deleted): its bytes do not count. */
    public static final long ABSENT = 0;

    private long[] txnIds = new long[1024];
    private int[] firstOp = new int[1025];
    private boolean[] aborted = new boolean[1024];
    private int txns;
    private int abortedTxns;

    private long[] keys = new long[4096];
    private int[] versions = new int[4096];
    private long[] digests = new long[4096];
    private boolean[] writes = new boolean[4096];
    private int ops;
    private boolean open;

    private long[] initKeys = new long[256];
    private int[] initVersions = new int[256];
    private long[] initDigests = new long[256];
    private int inits;

    /**
     * The digest of a record's value as a read returned it or a write made it: a hash of its
     * {@code length} bytes at {@code offset}, or {@link #ABSENT} when the record does not exist.
     */
    public static long digest(MemorySegment value, long offset, int length, boolean exists) {
        if (!exists) {
            return ABSENT;
        }
        long h = Hash64.hash(length);
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            h = Hash64.hash(h ^ value.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i));
        }
        for (; i < length; i++) {
            h = Hash64.hash(h ^ value.get(ValueLayout.JAVA_BYTE, offset + i));
        }
        return h == ABSENT ? 1 : h;
    }

    /** Starts recording a transaction's accesses; end it with {@link #commit} or {@link #abort}. */
    public void begin(long txnId) {
        if (open) {
            throw new IllegalStateException("transaction " + Long.toHexString(txnIds[txns])
                    + " is still being recorded: call commit() or abort() first");
        }
        if (txns + 1 >= txnIds.length) {
            txnIds = Arrays.copyOf(txnIds, txnIds.length * 2);
            firstOp = Arrays.copyOf(firstOp, firstOp.length * 2);
            aborted = Arrays.copyOf(aborted, aborted.length * 2);
        }
        txnIds[txns] = txnId;
        firstOp[txns] = ops;
        open = true;
    }

    /** The open transaction read {@code version} of {@code key} with a value of {@code digest}. */
    public void read(long key, long version, long digest) {
        add(key, version, digest, false);
    }

    /** The open transaction wrote {@code version} of {@code key} with a value of {@code digest}. */
    public void write(long key, long version, long digest) {
        add(key, version, digest, true);
    }

    /** The open transaction committed: its writes were installed. */
    public void commit() {
        end(false);
    }

    /**
     * The open transaction was an attempt that aborted: its writes were never installed and its
     * reads do not matter (only its writes are kept).
     */
    public void abort() {
        end(true);
    }

    private void end(boolean abort) {
        if (!open) {
            throw new IllegalStateException("commit() or abort() without begin()");
        }
        if (abort) {
            int kept = firstOp[txns];
            for (int o = firstOp[txns]; o < ops; o++) {
                if (writes[o]) {
                    keys[kept] = keys[o];
                    versions[kept] = versions[o];
                    digests[kept] = digests[o];
                    writes[kept] = true;
                    kept++;
                }
            }
            ops = kept;
            abortedTxns++;
        }
        aborted[txns] = abort;
        txns++;
        firstOp[txns] = ops;
        open = false;
    }

    /**
     * Declares the version {@code key} had when the history began (the population); declared
     * more than once, the highest version counts.
     */
    public void initial(long key, long version, long digest) {
        checkVersion(key, version);
        if (inits == initKeys.length) {
            initKeys = Arrays.copyOf(initKeys, inits * 2);
            initVersions = Arrays.copyOf(initVersions, inits * 2);
            initDigests = Arrays.copyOf(initDigests, inits * 2);
        }
        initKeys[inits] = key;
        initVersions[inits] = (int) version;
        initDigests[inits] = digest;
        inits++;
    }

    private void add(long key, long version, long digest, boolean write) {
        if (!open) {
            throw new IllegalStateException("an access outside begin() and commit()/abort()");
        }
        checkVersion(key, version);
        if (ops == keys.length) {
            keys = Arrays.copyOf(keys, ops * 2);
            versions = Arrays.copyOf(versions, ops * 2);
            digests = Arrays.copyOf(digests, ops * 2);
            writes = Arrays.copyOf(writes, ops * 2);
        }
        keys[ops] = key;
        versions[ops] = (int) version;
        digests[ops] = digest;
        writes[ops] = write;
        ops++;
    }

    private static void checkVersion(long key, long version) {
        if (version < 0 || version > 0xffff_ffffL) {
            throw new IllegalArgumentException("version " + version + " of key " + Long.toHexString(key)
                    + " is not a 32-bit unsigned number, as the servers number versions");
        }
    }

    /** Appends the initial versions and every transaction of {@code other}. */
    public void addAll(History other) {
        for (int i = 0; i < other.inits; i++) {
            initial(other.initKeys[i], Integer.toUnsignedLong(other.initVersions[i]), other.initDigests[i]);
        }
        for (int t = 0; t < other.txns; t++) {
            begin(other.txnIds[t]);
            for (int o = other.firstOp[t]; o < other.firstOp[t + 1]; o++) {
                add(other.keys[o], Integer.toUnsignedLong(other.versions[o]), other.digests[o], other.writes[o]);
            }
            end(other.aborted[t]);
        }
    }

    /**
     * Declares what the committed transactions of {@code loaded} wrote as initial versions: a
     * population loaded before the history begins.
     */
    public void addPopulation(History loaded) {
        for (int t = 0; t < loaded.txns; t++) {
            if (loaded.aborted[t]) {
                continue;
            }
            for (int o = loaded.firstOp[t]; o < loaded.firstOp[t + 1]; o++) {
                if (loaded.writes[o]) {
                    initial(loaded.keys[o], Integer.toUnsignedLong(loaded.versions[o]), loaded.digests[o]);
                }
            }
        }
    }

    /** Committed transactions. */
    public int transactions() {
        return txns - abortedTxns;
    }

    /** Aborted attempts recorded with their would-be writes. */
    public int abortedAttempts() {
        return abortedTxns;
    }

    /** Reads and writes recorded (of aborted attempts: their writes). */
    public int accesses() {
        return ops;
    }

    /** Initial versions declared. */
    public int initialVersions() {
        return inits;
    }

    // ---- for the checker: transactions (committed and aborted) by index, accesses by index ----

    int recorded() {
        return txns;
    }

    long txnId(int t) {
        return txnIds[t];
    }

    boolean isAborted(int t) {
        return aborted[t];
    }

    int firstOp(int t) {
        return firstOp[t];
    }

    long key(int op) {
        return keys[op];
    }

    long version(int op) {
        return Integer.toUnsignedLong(versions[op]);
    }

    long digestOf(int op) {
        return digests[op];
    }

    boolean isWrite(int op) {
        return writes[op];
    }

    long initialKey(int i) {
        return initKeys[i];
    }

    long initialVersion(int i) {
        return Integer.toUnsignedLong(initVersions[i]);
    }

    long initialDigest(int i) {
        return initDigests[i];
    }
}
