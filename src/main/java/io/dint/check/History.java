package io.dint.check;

import io.dint.wire.Hash64;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

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

    // transactions, committed and aborted, by index: accesses firstOp[t] .. firstOp[t + 1] - 1 are t's
    private final LongList txnIds = new LongList(1024);
    private final IntList firstOp = new IntList(1025);
    private final BitSet aborted = new BitSet();
    private int txns;
    private int abortedTxns;

    // accesses by index
    private final LongList keys = new LongList(4096);
    private final IntList versions = new IntList(4096); // 32-bit unsigned
    private final LongList digests = new LongList(4096);
    private final BitSet writes = new BitSet();
    private boolean open;

    // the initial versions declared
    private final LongList initKeys = new LongList(256);
    private final IntList initVersions = new IntList(256);
    private final LongList initDigests = new LongList(256);

    public History() {
        firstOp.add(0);
    }

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
            throw new IllegalStateException("transaction " + Long.toHexString(txnIds.get(txns))
                    + " is still being recorded: call commit() or abort() first");
        }
        txnIds.add(txnId);
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
            int ops = accesses();
            int kept = firstOp.get(txns);
            for (int o = kept; o < ops; o++) {
                if (writes.get(o)) {
                    keys.set(kept, keys.get(o));
                    versions.set(kept, versions.get(o));
                    digests.set(kept, digests.get(o));
                    writes.set(kept);
                    kept++;
                }
            }
            keys.truncate(kept);
            versions.truncate(kept);
            digests.truncate(kept);
            writes.clear(kept, ops);
            abortedTxns++;
        }
        aborted.set(txns, abort);
        txns++;
        firstOp.add(accesses());
        open = false;
    }

    /**
     * Declares the version {@code key} had when the history began (the population); declared
     * more than once, the highest version counts.
     */
    public void initial(long key, long version, long digest) {
        checkVersion(key, version);
        initKeys.add(key);
        initVersions.add((int) version);
        initDigests.add(digest);
    }

    private void add(long key, long version, long digest, boolean write) {
        if (!open) {
            throw new IllegalStateException("an access outside begin() and commit()/abort()");
        }
        checkVersion(key, version);
        writes.set(keys.size(), write);
        keys.add(key);
        versions.add((int) version);
        digests.add(digest);
    }

    private static void checkVersion(long key, long version) {
        if (version < 0 || version > 0xffff_ffffL) {
            throw new IllegalArgumentException("version " + version + " of key " + Long.toHexString(key)
                    + " is not a 32-bit unsigned number, as the servers number versions");
        }
    }

    /** Appends the initial versions and every transaction of {@code other}. */
    public void addAll(History other) {
        for (int i = 0; i < other.initialVersions(); i++) {
            initial(other.initialKey(i), other.initialVersion(i), other.initialDigest(i));
        }
        for (int t = 0; t < other.txns; t++) {
            begin(other.txnId(t));
            for (int o = other.firstOp(t); o < other.firstOp(t + 1); o++) {
                add(other.key(o), other.version(o), other.digestOf(o), other.isWrite(o));
            }
            end(other.isAborted(t));
        }
    }

    /**
     * Declares what the committed transactions of {@code loaded} wrote as initial versions: a
     * population loaded before the history begins.
     */
    public void addPopulation(History loaded) {
        for (int t = 0; t < loaded.txns; t++) {
            if (loaded.isAborted(t)) {
                continue;
            }
            for (int o = loaded.firstOp(t); o < loaded.firstOp(t + 1); o++) {
                if (loaded.isWrite(o)) {
                    initial(loaded.key(o), loaded.version(o), loaded.digestOf(o));
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
        return keys.size();
    }

    /** Initial versions declared. */
    public int initialVersions() {
        return initKeys.size();
    }

    // ---- for the checker: transactions (committed and aborted) by index, accesses by index ----

    int recorded() {
        return txns;
    }

    long txnId(int t) {
        return txnIds.get(t);
    }

    boolean isAborted(int t) {
        return aborted.get(t);
    }

    int firstOp(int t) {
        return firstOp.get(t);
    }

    long key(int op) {
        return keys.get(op);
    }

    long version(int op) {
        return Integer.toUnsignedLong(versions.get(op));
    }

    long digestOf(int op) {
        return digests.get(op);
    }

    boolean isWrite(int op) {
        return writes.get(op);
    }

    long initialKey(int i) {
        return initKeys.get(i);
    }

    long initialVersion(int i) {
        return Integer.toUnsignedLong(initVersions.get(i));
    }

    long initialDigest(int i) {
        return initDigests.get(i);
    }
}
