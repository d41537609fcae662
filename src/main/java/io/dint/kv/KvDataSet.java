package io.dint.kv;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.workload.Tatp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * The KV microbenchmark's data: TATP CALL_FORWARDING keys (s_id, sf_type 1..4, start_time 0/8/16:
 * 12 per subscriber) with 40-byte values, as in the paper (2M subscribers, 24M keys). With
 * {@link Population#ALL} every key exists; with {@link Population#TATP} only TATP's steady-state
 * rows do (31.25%: a special facility per type with p = 0.625, a row per start time with p = 0.5),
 * which is where the paper's "31% of keys exist" comes from. A pure function of the parameters,
 * so servers and clients agree on it without exchanging it.
 */
public record KvDataSet(long subscribers, Population population, long seed) {
    public enum Population {
        ALL, TATP;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Population parse(String s) {
            for (Population p : values()) {
                if (p.id().equals(s)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown KV population '" + s + "': use all (every key exists) or tatp (31% exist)");
        }
    }

    /** Keys per subscriber: 4 special-facility types x 3 start times. */
    public static final int KEYS_PER_SUBSCRIBER = 12;

    public KvDataSet {
        if (subscribers < 1 || subscribers > 100_000_000) {
            throw new IllegalArgumentException("subscribers must be in 1..100000000, got " + subscribers);
        }
    }

    /** Every key a client may ask for: all 12 of each subscriber. */
    public long universe() {
        return subscribers * KEYS_PER_SUBSCRIBER;
    }

    /** Calls {@code action} with each key that exists. */
    public void forEachKey(LongConsumer action) {
        Tatp tatp = population == Population.TATP ? new Tatp(subscribers, seed) : null;
        for (long s = 1; s <= subscribers; s++) {
            int present = tatp == null ? (1 << KEYS_PER_SUBSCRIBER) - 1 : tatp.callForwardingSet(s);
            for (int type = 1; type <= 4; type++) {
                for (int k = 0; k < 3; k++) {
                    if ((present & 1 << (3 * (type - 1) + k)) != 0) {
                        action.accept(Tatp.callForwardingKey(s, type, Tatp.START_TIMES[k]));
                    }
                }
            }
        }
    }

    public long count() {
        long[] n = {0};
        forEachKey(k -> n[0]++);
        return n[0];
    }

    /**
     * Writes the 40-byte value of {@code key} as of {@code salt} (0 when loaded, the writer's
     * sequence number after a SET): its first word is the key, so a reader can tell a value
     * belongs to the key it asked for.
     */
    public static void value(long key, long salt, MemorySegment dst, long off) {
        dst.set(JAVA_LONG_UNALIGNED, off, key);
        dst.set(JAVA_LONG_UNALIGNED, off + 8, salt);
        dst.set(JAVA_LONG_UNALIGNED, off + 16, ~key);
        dst.set(JAVA_LONG_UNALIGNED, off + 24, key * 0x9E3779B97F4A7C15L);
        dst.set(JAVA_LONG_UNALIGNED, off + 32, salt ^ 0x5a5a5a5a5a5a5a5aL);
    }

    /** A store holding every existing key at version 1, with buckets for a cache of {@code cacheRatio} slots per key. */
    public KvStore load(double cacheRatio) {
        KvStore store = new KvStore(KvStore.bucketsFor(count(), cacheRatio));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(io.dint.wire.Wire.KV_VALUE_SIZE, 8);
            forEachKey(key -> {
                value(key, 0, v, 0);
                store.put(key, 1, v, 0);
            });
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }
}
