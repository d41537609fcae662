package io.dint.wire;

/**
 * {@code enum dint_stat}: indices of the per-CPU counters of every service program, kept with the
 * same meaning by the Java backends. Names are the C names without {@code DINT_STAT_}.
 */
public final class Stat {
    private Stat() {}

    public static final int RX = 0;
    public static final int TX = 1;
    public static final int PASS_NOT_OURS = 2;
    public static final int DROP_IP_OPTIONS = 3;
    public static final int DROP_TRUNCATED = 4;
    public static final int DROP_BAD_LENGTH = 5;
    public static final int DROP_BAD_OP = 6;
    public static final int GRANT = 7;
    public static final int REJECT = 8;
    public static final int RETRY = 9;
    public static final int RELEASE = 10;
    public static final int NOT_HELD = 11;
    public static final int OCC_READ = 12;
    public static final int OCC_GRANT = 13;
    public static final int OCC_REJECT = 14;
    public static final int OCC_RETRY = 15;
    public static final int OCC_COMMIT = 16;
    public static final int OCC_ABORT = 17;
    public static final int OCC_NOT_HELD = 18;
    public static final int DUPLICATE = 19;
    public static final int LOG_APPEND = 20;
    public static final int LOG_FULL = 21;
    public static final int KV_GET_HIT = 28;
    public static final int KV_SET_HIT = 29;
    public static final int KV_INSERT_HIT = 30;
    public static final int KV_NOT_EXIST = 31;
    public static final int KV_RETRY = 32;
    public static final int KV_LEASE_TAKEOVER = 33;
    public static final int KV_SLOW = 34;
    public static final int KV_WRITEBACK = 35;
    public static final int KV_TC_INSTALL = 36;
    public static final int KV_TC_RELEASE = 37;
    public static final int KV_TC_STALE = 38;
    public static final int KV_TC_BAD = 39;
    public static final int TXN_READ_HIT = 40;
    public static final int TXN_ABSENT = 41;
    public static final int TXN_INSTALL_HIT = 42;
    public static final int TXN_BUSY = 43;
    public static final int TXN_TC_BUSY = 44;
    public static final int TXN_LOCK_TAKEOVER = 45;
    public static final int TXN_STALE = 46;
    public static final int TXN_GRACE = 47;
    public static final int DROP_NOT_ALLOWED = 56;
    public static final int DROP_BAD_HEADER = 57;
    public static final int MAX = 64;

    private static final String[] NAMES = Names.of(Stat.class, MAX, "stat_");

    /** True for an index the header names (the ranges have room to grow). */
    public static boolean isNamed(int stat) {
        return !NAMES[stat].startsWith("stat_");
    }

    /** Lower-case counter name for reports, e.g. {@code drop_truncated}. */
    public static String name(int stat) {
        return NAMES[stat];
    }
}
