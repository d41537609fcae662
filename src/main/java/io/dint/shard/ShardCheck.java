package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.lock.LockRules;
import io.dint.wire.RecordDigest;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

/**
 * What a shard holds at quiescence, for the end-of-run checks: per table (the key's top byte)
 * the rows that exist, the sum of their first 8 bytes as signed cents (Smallbank balances), how
 * many are negative and the table's {@link RecordDigest}; locks still held; orphans, rows whose
 * parent row (by the workload's rule: a TATP call forwarding's special facility) does not exist;
 * and the digest of every (key, version, existence, value), so that replicas, the replica's own
 * commit log and the coordinators' committed writes can be compared without shipping the records.
 */
record ShardCheck(Map<Integer, long[]> tables, long locksHeld, long orphans, long digest, long records) {
    /** The rule of a workload whose rows stand alone: no key has a parent. */
    static final LongUnaryOperator NO_PARENTS = key -> 0;

    private static final int ROWS = 0, SUM = 1, NEGATIVE = 2, DIGEST = 3;

    /** Scans {@code store}'s records under the workload rule it was given ({@link ShardStore#setParentKeys}). */
    static ShardCheck scan(ShardStore store) {
        return scan(store.records(), store.parentKeys());
    }

    /**
     * Scans {@code records}; {@code parentKeys} names the key whose row must exist whenever a
     * row of the given key exists, 0 for none.
     */
    static ShardCheck scan(RecordTable records, LongUnaryOperator parentKeys) {
        MemorySegment t = records.memory();
        Map<Integer, long[]> tables = new TreeMap<>();
        long[] locks = {0}, orphans = {0}, digest = {0}, count = {0};
        records.forEachRecord(r -> {
            long key = records.keyAt(r);
            boolean exists = records.existsAt(r);
            count[0]++;
            if (LockRules.held(t, r + RecordTable.LOCK)) {
                locks[0]++;
            }
            if (!records.writtenAt(r)) {
                return; // created by a lock that was never followed by an install
            }
            long h = records.termAt(r);
            long[] tab = tables.computeIfAbsent(RecordDigest.table(key), k -> new long[4]);
            tab[DIGEST] += h;
            if (exists) {
                long first = t.get(JAVA_LONG_UNALIGNED, r + RecordTable.VALUE);
                tab[ROWS]++;
                tab[SUM] += first;
                tab[NEGATIVE] += first < 0 ? 1 : 0;
                long parent = parentKeys.applyAsLong(key);
                if (parent != 0 && !records.exists(parent)) {
                    orphans[0]++;
                }
            }
            digest[0] += h;
        });
        return new ShardCheck(tables, locks[0], orphans[0], digest[0], count[0]);
    }

    /** The {@link RecordDigest} of {@code records}: what {@link #digest} of a scan is. */
    static long digest(RecordTable records) {
        return scan(records, NO_PARENTS).digest();
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> tabs = new LinkedHashMap<>();
        tables.forEach((tag, v) -> tabs.put(Integer.toString(tag),
                Map.of("rows", v[ROWS], "sum", v[SUM], "negative", v[NEGATIVE], "digest", Long.toHexString(v[DIGEST]))));
        m.put("tables", tabs);
        m.put("locks_held", locksHeld);
        m.put("orphans", orphans);
        m.put("digest", Long.toHexString(digest));
        m.put("records", records);
        return m;
    }

    /**
     * Adds what the replica's commit log holds: its records, the digest of the records it replays
     * to (each key's last logged write; equal to {@code digest} when the log and the records
     * agree), and records that conflict with an earlier one of the same version.
     */
    static void putLog(Map<String, Object> m, ShardLog log) {
        m.put("log_records", log.records());
        m.put("log_digest", Long.toHexString(log.digest()));
        m.put("log_conflicts", log.conflicts());
    }
}
