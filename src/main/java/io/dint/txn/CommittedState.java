package io.dint.txn;

import io.dint.wire.Hash64;
import io.dint.wire.RecordDigest;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What committed transactions left behind, as their coordinators saw it: for every key written —
 * the population included — its last committed write: the version its primary confirmed, whether
 * the record exists, and its value, kept as the write's {@link RecordDigest} term. At quiescence
 * every replica must hold exactly this, table by table: a write a replica lost, applied wrongly,
 * or one that never committed shows as a difference. For Smallbank it reconciles every account's
 * balance with the transactions that moved it, where the ledger compares only the total.
 *
 * <p>Thread-confined while recording, like the history; merge per-thread states with
 * {@link #addAll}. An open-addressing table of primitives that grows by doubling: nothing is
 * allocated per write.
 */
public final class CommittedState implements TxnListener {
    private long[] keys = new long[1024];
    private int[] versions = new int[1024];
    private long[] terms = new long[1024];
    private long[] txns = new long[1024];
    private int size;

    /**
     * Records a committed write of transaction {@code txn}: key at {@code version}, existing with
     * the value at {@code value[offset, offset + 40)} or deleted.
     */
    public void write(long key, int version, boolean exists, MemorySegment value, long offset, long txn) {
        put(key, version, RecordDigest.term(key, version, exists, value, offset), txn);
    }

    /** Records the writes of a committed transaction at the versions its primaries confirmed. */
    @Override
    public void committed(long txnId, int type, TxnContext c) {
        for (int w = 0; w < c.writes; w++) {
            write(c.writeKey[w], c.confirmed[w], c.writeKind[w] != TxnContext.DELETE, c.writeValues,
                    (long) w * TxnContext.VALUE, txnId);
        }
    }

    /** Keeps the newer of two writes of a key (versions order a key's writes, as the servers do). */
    void put(long key, int version, long term, long txn) {
        if (key == 0) {
            throw new IllegalArgumentException("key 0 is never a record's key");
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        for (int i = (int) Hash64.hash(key) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == 0) {
                keys[i] = key;
                versions[i] = version;
                terms[i] = term;
                txns[i] = txn;
                size++;
                return;
            }
            if (keys[i] == key) {
                if (Integer.compareUnsigned(version, versions[i]) > 0) {
                    versions[i] = version;
                    terms[i] = term;
                    txns[i] = txn;
                }
                return;
            }
        }
    }

    private void grow() {
        long[] k = keys;
        int[] v = versions;
        long[] t = terms;
        long[] x = txns;
        keys = new long[k.length * 2];
        versions = new int[k.length * 2];
        terms = new long[k.length * 2];
        txns = new long[k.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != 0) {
                put(k[i], v[i], t[i], x[i]);
            }
        }
    }

    /** Adds every write of {@code other}; of two writes of a key the newer stays. */
    public void addAll(CommittedState other) {
        for (int i = 0; i < other.keys.length; i++) {
            if (other.keys[i] != 0) {
                put(other.keys[i], other.versions[i], other.terms[i], other.txns[i]);
            }
        }
    }

    /** Keys written. */
    public int keys() {
        return size;
    }

    /** The slot holding key, or -1. */
    private int slot(long key) {
        int mask = keys.length - 1;
        for (int i = (int) Hash64.hash(key) & mask; keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    /** The version of key's last committed write, or 0 when none was recorded. */
    public int version(long key) {
        int i = slot(key);
        return i < 0 ? 0 : versions[i];
    }

    /**
     * Calls {@code visit} with every key's last committed write: key, version, its
     * {@link RecordDigest} term and the transaction that wrote it.
     */
    public void forEach(WriteVisitor visit) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                visit.write(keys[i], versions[i], terms[i], txns[i]);
            }
        }
    }

    /** What {@link #forEach} visits. */
    public interface WriteVisitor {
        void write(long key, int version, long term, long txn);
    }

    /** The {@link RecordDigest} term of key's last committed write, or 0 when none was recorded. */
    public long term(long key) {
        int i = slot(key);
        return i < 0 ? 0 : terms[i];
    }

    /** True when a committed write of key was recorded. */
    public boolean has(long key) {
        return slot(key) >= 0;
    }

    /** Per table (a key's top byte), the digest of the records committed writes leave. */
    public Map<Integer, Long> tableDigests() {
        Map<Integer, Long> m = new TreeMap<>();
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                m.merge(RecordDigest.table(keys[i]), terms[i], Long::sum);
            }
        }
        return m;
    }

    /**
     * Reconciles every replica with the committed writes, table by table, from the replicas'
     * end-of-run check maps ({@code tables.<tag>.digest}). Returns the failures, empty when every
     * replica holds exactly what committed transactions wrote.
     */
    public List<String> reconcile(List<Map<String, Object>> servers) {
        Map<Integer, Long> expected = tableDigests();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            Map<Integer, Long> held = heldDigests(servers.get(i));
            TreeSet<Integer> tables = new TreeSet<>(expected.keySet());
            tables.addAll(held.keySet());
            for (int tag : tables) {
                long want = expected.getOrDefault(tag, 0L), have = held.getOrDefault(tag, 0L);
                if (want != have) {
                    failures.add("server " + i + ": table " + tag + " is not what committed transactions wrote (records digest "
                            + Long.toHexString(have) + ", the last committed write of each key gives " + Long.toHexString(want)
                            + "): a committed write is missing or wrong there, or something is there that never committed");
                }
            }
        }
        return failures;
    }

    @SuppressWarnings("unchecked")
    private static Map<Integer, Long> heldDigests(Map<String, Object> check) {
        Map<Integer, Long> m = new TreeMap<>();
        Map<String, Object> tables = (Map<String, Object>) check.get("tables");
        if (tables != null) {
            tables.forEach((tag, t) -> m.put(Integer.parseInt(tag),
                    Long.parseUnsignedLong((String) ((Map<String, Object>) t).get("digest"), 16)));
        }
        return m;
    }
}
