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
 * the rows that exist, the sum of their first 8 bytes as signed cents (Smallbank balances) and how
 * many are negative; locks still held; TATP call-forwarding rows without their special-facility
 * row; and an order-independent digest of every (key, version, existence, value) so that replicas
 * can be compared without shipping their contents.
 */
record ShardCheck(Map<Integer, long[]> tables, long locksHeld, long orphanCallForwarding, long digest, long records) {

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
            long h = Hash64.hash(key) ^ Hash64.hash(((long) version << 1) | (exists ? 1 : 0));
            if (exists) {
                long first = t.get(JAVA_LONG_UNALIGNED, r + ShardStore.VALUE);
                for (int i = 0; i < 5; i++) {
                    h = Hash64.hash(h ^ t.get(JAVA_LONG_UNALIGNED, r + ShardStore.VALUE + 8L * i));
                }
                long[] tab = tables.computeIfAbsent((int) (key >>> 56), k -> new long[3]);
                tab[0]++;
                tab[1] += first;
                tab[2] += first < 0 ? 1 : 0;
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
        tables.forEach((tag, v) -> tabs.put(Integer.toString(tag), Map.of("rows", v[0], "sum", v[1], "negative", v[2])));
        m.put("tables", tabs);
        m.put("locks_held", locksHeld);
        m.put("orphan_call_forwarding", orphanCallForwarding);
        m.put("digest", Long.toHexString(digest));
        m.put("records", records);
        return m;
    }
}
