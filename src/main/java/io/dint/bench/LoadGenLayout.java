package io.dint.bench;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.StructLayout;

/**
 * The Java view of {@code loadgen.h}, the boundary of the in-kernel load generator; checked
 * against the object's BTF by {@code LoadGenLayoutTest}.
 *
 * <pre>
 * struct lg_slot (96 bytes)                struct lg_txn (88 bytes)
 *   0 seq          8 sent_ns                 0 n   4 exclusive (bit i: key i)
 *  16 txn_start_ns 24 txn_id                 8 key[10]
 *  32 txn 36 step 40 phase 44 held
 *  48 attempts 52 requests 56 version[10]
 * </pre>
 */
public final class LoadGenLayout {
    private LoadGenLayout() {}

    public static final int MAX_SLOTS = 4096;
    public static final int MAX_KEYS = 10;
    public static final int KICK = 0xff;
    /** lg_slot.phase of a stopped slot (LG_PH_PARKED). */
    public static final int PHASE_PARKED = 9;
    public static final int HIST_MAX_EXP = 40;
    public static final int HIST_BUCKETS = 32 + (HIST_MAX_EXP - 4) * 16;

    /** enum lg_service. */
    public static final int LOCK2PL = 1, OCC = 2, LOG = 3, KV = 4;

    /** enum lg_stat. */
    public static final int STAT_REPLIES = 0, STAT_SENT = 1, STAT_KICKS = 2, STAT_RESENT = 3, STAT_STALE = 4,
            STAT_COMMITTED = 5, STAT_ABORTED = 6, STAT_RETRIES = 7, STAT_PROTOCOL = 8, STAT_STOPPED = 9,
            STAT_NOT_OURS = 10, STAT_GOOD = 11, STAT_MAX = 16;

    public static final StructLayout TXN = structLayout(
            JAVA_INT.withName("n"),
            JAVA_INT.withName("exclusive"),
            sequenceLayout(MAX_KEYS, JAVA_LONG).withName("key")).withName("lg_txn");

    public static final StructLayout SLOT = structLayout(
            JAVA_LONG.withName("seq"),
            JAVA_LONG.withName("sent_ns"),
            JAVA_LONG.withName("txn_start_ns"),
            JAVA_LONG.withName("txn_id"),
            JAVA_INT.withName("txn"),
            JAVA_INT.withName("step"),
            JAVA_INT.withName("phase"),
            JAVA_INT.withName("held"),
            JAVA_INT.withName("attempts"),
            JAVA_INT.withName("requests"),
            sequenceLayout(MAX_KEYS, JAVA_INT).withName("version")).withName("lg_slot");

    public static final StructLayout CONTROL = structLayout(
            JAVA_INT.withName("stop"),
            JAVA_INT.withName("kick_next"),
            sequenceLayout(MAX_SLOTS, JAVA_INT).withName("kick")).withName("lg_control");

    public static final StructLayout CONFIG = structLayout(
            JAVA_INT.withName("service"),
            JAVA_INT.withName("slots"),
            JAVA_INT.withName("trace_len"),
            JAVA_INT.withName("client_id"),
            JAVA_INT.withName("incarnation"),
            JAVA_SHORT.withName("client_port"),
            JAVA_SHORT.withName("pad"),
            JAVA_LONG.withName("resend_ns")).withName("lg_config");

    public static final long TXN_N = TXN.byteOffset(groupElement("n"));
    public static final long TXN_EXCLUSIVE = TXN.byteOffset(groupElement("exclusive"));
    public static final long TXN_KEY = TXN.byteOffset(groupElement("key"));
    public static final long SLOT_SEQ = SLOT.byteOffset(groupElement("seq"));
    public static final long SLOT_SENT_NS = SLOT.byteOffset(groupElement("sent_ns"));
    public static final long SLOT_PHASE = SLOT.byteOffset(groupElement("phase"));
    public static final long CONTROL_STOP = CONTROL.byteOffset(groupElement("stop"));
    public static final long CONTROL_KICK_NEXT = CONTROL.byteOffset(groupElement("kick_next"));
    public static final long CONTROL_KICK = CONTROL.byteOffset(groupElement("kick"));
    public static final long CONFIG_SERVICE = CONFIG.byteOffset(groupElement("service"));
    public static final long CONFIG_SLOTS = CONFIG.byteOffset(groupElement("slots"));
    public static final long CONFIG_TRACE_LEN = CONFIG.byteOffset(groupElement("trace_len"));
    public static final long CONFIG_CLIENT_ID = CONFIG.byteOffset(groupElement("client_id"));
    public static final long CONFIG_INCARNATION = CONFIG.byteOffset(groupElement("incarnation"));
    public static final long CONFIG_CLIENT_PORT = CONFIG.byteOffset(groupElement("client_port"));
    public static final long CONFIG_RESEND_NS = CONFIG.byteOffset(groupElement("resend_ns"));

    /** Lowest latency in ns that falls in histogram bucket {@code b} (see LG_HIST_BUCKETS in loadgen.h). */
    public static long bucketLow(int b) {
        if (b < 32) {
            return b;
        }
        int e = 5 + (b - 32) / 16;
        long sub = (b - 32) % 16;
        return (1L << e) | (sub << (e - 4));
    }
}
