package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.lock.LockRules;
import io.dint.wire.Hash64;
import io.dint.wire.Wire;
import io.dint.workload.Tatp;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a shard holds at quiescence, for the end-of-run checks: per table (the key's top byte)
 * the rows that exist, the sum of their first 8 bytes as signed cents (Smallbank balances), how
 * many are negative and the table's {@link RecordDigest}; locks still held; TATP call-forwarding
 * rows without their special-facility row; and the digest of every (key, version, existence,
 * value), so that replicas, the replica's own commit log and the coordinators' committed writes
 * can be compared without shipping the records.
 */
record ShardCheck(Map<Integer, long[]> tables, long locksHeld, long orphanCallForwarding, long digest, long records) {
    private static final int ROWS = 0, SUM = 1, NEGATIVE = 2, DIGEST = 3;

    static ShardCheck scan(ShardStore store) {
        MemorySegment t = store.table();
        Map<Integer, long[]> tables = new TreeMap<>();
        long[] locks = {0}, orphans = {0}, digest = {0}, records = {0};
        store.forEachRecord(r -> {
            long key = t.get(JAVA_LONG, r + ShardStore.KEY);
            int version = t.get(JAVA_INT, r + ShardStore.VERSION);
            boolean exists = (t.get(JAVA_INT, r + ShardStore.FLAGS) & Wire.TXN_F_EXISTS) != 0;
            records[0]++;
            if (LockRules.held(t, r + ShardStore.LOCK)) {
                locks[0]++;
            }
            if (version == 0 && !exists) {
                return; // created by a lock that was never followed by an install
            }
            long h = RecordDigest.term(key, version, exists, t, r + ShardStore.VALUE);
            long[] tab = tables.computeIfAbsent(RecordDigest.table(key), k -> new long[4]);
            tab[DIGEST] += h;
            if (exists) {
                long first = t.get(JAVA_LONG_UNALIGNED, r + ShardStore.VALUE);
                tab[ROWS]++;
                tab[SUM] += first;
                tab[NEGATIVE] += first < 0 ? 1 : 0;
                if (key >>> 56 == Tatp.CALL_FORWARDING >>> 56
                        && !store.exists(Tatp.specialFacilityKeyOfCallForwarding(key))) {
                    orphans[0]++;
                }
            }
            digest[0] += h;
        });
        return new ShardCheck(tables, locks[0], orphans[0], digest[0], records[0]);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> tabs = new LinkedHashMap<>();
        tables.forEach((tag, v) -> tabs.put(Integer.toString(tag),
                Map.of("rows", v[ROWS], "sum", v[SUM], "negative", v[NEGATIVE], "digest", Long.toHexString(v[DIGEST]))));
        m.put("tables", tabs);
        m.put("locks_held", locksHeld);
        m.put("orphan_call_forwarding", orphanCallForwarding);
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
