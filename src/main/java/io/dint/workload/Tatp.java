package io.dint.workload;

import java.util.SplittableRandom;

/**
 * The TATP workload of the DINT paper: five tables with 8-byte keys packed from the row's key fields,
 * the standard mix (80% read-only), subscribers drawn by NURand, and the steady-state population
 * — 1–4 ACCESS_INFO and SPECIAL_FACILITY rows per subscriber with distinct types, 85% of special
 * facilities active, and each CALL_FORWARDING (s_id, sf_type, start_time) of an existing special
 * facility present with probability 0.5. The population is a pure function of (seed, s_id), so
 * loaders and checkers agree on it without storing it.
 */
public final class Tatp {
    public static final int GET_SUBSCRIBER_DATA = 0, GET_NEW_DESTINATION = 1, GET_ACCESS_DATA = 2,
            UPDATE_SUBSCRIBER_DATA = 3, UPDATE_LOCATION = 4, INSERT_CALL_FORWARDING = 5, DELETE_CALL_FORWARDING = 6;
    public static final String[] NAMES = {"get_subscriber_data", "get_new_destination", "get_access_data",
        "update_subscriber_data", "update_location", "insert_call_forwarding", "delete_call_forwarding"};
    public static final Mix MIX = new Mix(35, 10, 35, 2, 14, 2, 2);

    /** Table tags in the top byte of a key. */
    public static final long SUBSCRIBER = 3L << 56, SECOND_SUBSCRIBER = 4L << 56, ACCESS_INFO = 5L << 56,
            SPECIAL_FACILITY = 6L << 56, CALL_FORWARDING = 7L << 56;
    public static final int[] START_TIMES = {0, 8, 16};

    private final long subscribers;
    private final NuRand nurand;
    private final long seed;

    /**
     * @param subscribers population size (paper: 7M)
     * @param seed        fixes both the population and the NURand constant C
     */
    public Tatp(long subscribers, long seed) {
        if (subscribers < 1 || subscribers >= 1L << 40) {
            throw new IllegalArgumentException("subscribers must be in 1..2^40, got " + subscribers);
        }
        this.subscribers = subscribers;
        this.seed = seed;
        long a = NuRand.aFor(subscribers);
        this.nurand = new NuRand(1, subscribers, new SplittableRandom(seed ^ 0x7a7b).nextLong(a + 1));
    }

    public long subscribers() {
        return subscribers;
    }

    public static long subscriberKey(long sId) {
        return SUBSCRIBER | sId;
    }

    /** SECOND_SUBSCRIBER is keyed by sub_nbr, the subscriber number, which maps to s_id. */
    public static long secondSubscriberKey(long subNbr) {
        return SECOND_SUBSCRIBER | subNbr;
    }

    public static long accessInfoKey(long sId, int aiType) {
        return ACCESS_INFO | sId << 8 | aiType;
    }

    public static long specialFacilityKey(long sId, int sfType) {
        return SPECIAL_FACILITY | sId << 8 | sfType;
    }

    public static long callForwardingKey(long sId, int sfType, int startTime) {
        return CALL_FORWARDING | sId << 8 | sfType << 5 | startTime;
    }

    /** The SPECIAL_FACILITY key a CALL_FORWARDING key belongs to. */
    public static long specialFacilityKeyOfCallForwarding(long cfKey) {
        long sId = (cfKey & ~(0xffL << 56)) >>> 8;
        int sfType = (int) (cfKey >>> 5) & 7;
        return specialFacilityKey(sId, sfType);
    }

    /**
     * The key whose row must exist whenever row {@code key} exists: a CALL_FORWARDING row's
     * SPECIAL_FACILITY row (TATP's one foreign key a shard can check); 0 for the other tables.
     */
    public static long parentKey(long key) {
        return key >>> 56 == CALL_FORWARDING >>> 56 ? specialFacilityKeyOfCallForwarding(key) : 0;
    }

    /** One generated transaction; fields unused by its type are left as they were. */
    public static final class Txn {
        public int type;
        public long sId;
        public int aiType;
        public int sfType;
        public int startTime;
        public int endTime;
        public long value; // the new bit_1 / data_a / vlr_location / numberx
    }

    public void next(SplittableRandom rnd, Txn t) {
        t.type = MIX.next(rnd);
        t.sId = nurand.next(rnd);
        t.aiType = 1 + rnd.nextInt(4);
        t.sfType = 1 + rnd.nextInt(4);
        t.startTime = START_TIMES[rnd.nextInt(3)];
        t.endTime = 1 + rnd.nextInt(24);
        t.value = rnd.nextLong();
    }

    // ---- population: a pure function of (seed, s_id) ----

    private SplittableRandom rowRandom(long sId) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + sId);
    }

    /** Bit i-1 set when ACCESS_INFO (s_id, i) exists, i in 1..4: 1–4 distinct types. */
    public int accessInfoTypes(long sId) {
        return typeSet(rowRandom(sId));
    }

    /** Bit i-1 set when SPECIAL_FACILITY (s_id, i) exists. */
    public int specialFacilityTypes(long sId) {
        SplittableRandom r = rowRandom(sId);
        typeSet(r);
        return typeSet(r);
    }

    /** Whether SPECIAL_FACILITY (s_id, sfType) is active (85%), meaningful where it exists. */
    public boolean specialFacilityActive(long sId, int sfType) {
        SplittableRandom r = rowRandom(sId);
        typeSet(r);
        typeSet(r);
        boolean active = false;
        for (int i = 1; i <= sfType; i++) {
            active = r.nextInt(100) < 85;
        }
        return active;
    }

    /**
     * Bit 3*(sfType-1) + k set when CALL_FORWARDING (s_id, sfType, START_TIMES[k]) exists in the
     * initial population: present with probability 0.5 for each existing special facility.
     */
    public int callForwardingSet(long sId) {
        int sf = specialFacilityTypes(sId);
        SplittableRandom r = new SplittableRandom(~(seed * 0x9E3779B97F4A7C15L + sId));
        int set = 0;
        for (int type = 1; type <= 4; type++) {
            for (int k = 0; k < 3; k++) {
                boolean present = r.nextBoolean();
                if ((sf & 1 << (type - 1)) != 0 && present) {
                    set |= 1 << (3 * (type - 1) + k);
                }
            }
        }
        return set;
    }

    /** end_time of an initial CALL_FORWARDING row: start_time + 1..8. */
    public int callForwardingEndTime(long sId, int sfType, int startTime) {
        return startTime + 1 + (int) Long.remainderUnsigned(callForwardingKey(sId, sfType, startTime) * 0x9E3779B97F4A7C15L + seed, 8);
    }

    private static int typeSet(SplittableRandom r) {
        int count = 1 + r.nextInt(4);
        int set = 0;
        while (Integer.bitCount(set) < count) {
            set |= 1 << r.nextInt(4);
        }
        return set;
    }
}
