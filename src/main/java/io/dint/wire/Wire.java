package io.dint.wire;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.StructLayout;

/**
 * Java mirror of {@code src/main/bpf/dint_wire.h}, the single source of truth of the wire format,
 * and of the headers it includes: dint_msgs.h (messages), dint_tables.h (map entries),
 * dint_settings.h (loader settings), dint_counters.h (counter indices).
 * Layouts are named after the C structs and their members so that {@code WireLayoutTest} can
 * compare them with the BTF of the compiled objects; offsets used on hot paths are derived from
 * the layouts, never written twice. All fields are little-endian, as in the C structs.
 */
public final class Wire {
    private Wire() {}

    /** Well-known UDP port of every service. */
    public static final int PORT = 20230;
    /** Largest UDP payload a service accepts. */
    public static final int MAX_PAYLOAD = 256;

    /**
     * {@code DINT_SEQ_INCARNATION_SHIFT}: {@code dint_hdr.seq} is {@code incarnation << 32 | counter}, the
     * incarnation a random nonzero value each client draws when it starts, so that a client id
     * reused by a restarted client never repeats a predecessor's request ids ({@link RequestIds}).
     */
    public static final int SEQ_INCARNATION_SHIFT = 32;

    /** {@code struct dint_hdr}: every message starts with it. */
    public static final StructLayout HDR = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"),
            JAVA_BYTE.withName("status"),
            JAVA_SHORT.withName("reserved"),
            JAVA_INT.withName("client_id"),
            JAVA_LONG.withName("seq")).withName("dint_hdr");

    /** {@code struct dint_lock_msg}: 2PL lock request and reply. */
    public static final StructLayout LOCK_MSG = java.lang.foreign.MemoryLayout.structLayout(
            HDR.withName("hdr"),
            JAVA_LONG.withName("lock_id"),
            JAVA_LONG.withName("txn_id")).withName("dint_lock_msg");

    /** {@code DINT_LOCK_SHARERS}: {@code dint_lock_entry.sharer} when several transactions share an entry. */
    public static final long LOCK_SHARERS = -1L;

    /** {@code struct dint_lock_entry}: one entry of every lock table (2PL, OCC, a shard's). */
    public static final StructLayout LOCK_ENTRY = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_INT.withName("spin"),
            JAVA_INT.withName("shared"),
            JAVA_INT.withName("exclusive"),
            JAVA_INT.withName("version"),
            JAVA_LONG.withName("holder"),
            JAVA_LONG.withName("sharer"),
            JAVA_LONG.withName("granted_ns")).withName("dint_lock_entry");

    /**
     * {@code struct dint_config}: per-program settings the loader writes into .rodata. {@code table}
     * is the size of the program's main table, a union whose members name its unit in each
     * program: lock_entries (lock2pl, occ, shard), buckets (kv), ring_slots (log: records per CPU
     * ring) (dint_settings.h).
     */
    public static final StructLayout CONFIG = java.lang.foreign.MemoryLayout.structLayout(
            java.lang.foreign.MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("mac"),
            JAVA_SHORT.withName("pad"),
            java.lang.foreign.MemoryLayout.unionLayout(
                    JAVA_INT.withName("lock_entries"),
                    JAVA_INT.withName("buckets"),
                    JAVA_INT.withName("ring_slots")).withName("table"),
            JAVA_INT.withName("allow"),
            JAVA_INT.withName("allow_addr"),
            JAVA_INT.withName("allow_mask")).withName("dint_config");

    /** {@code DINT_ALLOW_MAX}: client prefixes an allowlist holds. */
    public static final int ALLOW_MAX = 256;

    /** {@code struct dint_allow_key}: key of the allowlist LPM trie (addr in network byte order). */
    public static final StructLayout ALLOW_KEY = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_INT.withName("prefixlen"),
            JAVA_INT.withName("addr")).withName("dint_allow_key");

    /** Bytes of a KV value. */
    public static final int KV_VALUE_SIZE = 40;
    /** Slots of a KV cache bucket. */
    public static final int KV_WAYS = 4;
    /** {@code dint_kv_slow.way} of a DELETE whose key is not cached. */
    public static final int KV_NO_WAY = 255;
    /** {@code dint_kv_slow.flags}. */
    public static final int KV_VICTIM = 1, KV_INSTALL = 2, KV_INVALIDATE = 4;
    /** {@code dint_kv_config.policy}. */
    public static final int KV_WRITE_BACK_BLOOM = 0, KV_WRITE_BACK = 1, KV_WRITE_THROUGH = 2;

    /** {@code struct dint_kv_object}: a key and its value. */
    public static final StructLayout KV_OBJECT = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("version"),
            java.lang.foreign.MemoryLayout.sequenceLayout(KV_VALUE_SIZE, JAVA_BYTE).withName("value")).withName("dint_kv_object");

    /** {@code struct dint_kv_msg}: KV request and reply. */
    public static final StructLayout KV_MSG = java.lang.foreign.MemoryLayout.structLayout(
            HDR.withName("hdr"),
            KV_OBJECT.withName("obj")).withName("dint_kv_msg");

    /** {@code struct dint_kv_slow}: what travels behind a KV message to and from the slow path. */
    public static final StructLayout KV_SLOW = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_LONG.withName("lease"),
            JAVA_INT.withName("bucket"),
            JAVA_BYTE.withName("way"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("pad"),
            JAVA_LONG.withName("bloom"),
            KV_OBJECT.withName("victim")).withName("dint_kv_slow");

    /** {@code struct dint_kv_slot}: one slot of a cache bucket. */
    public static final StructLayout KV_SLOT = java.lang.foreign.MemoryLayout.structLayout(
            KV_OBJECT.withName("obj"),
            JAVA_BYTE.withName("valid"),
            JAVA_BYTE.withName("dirty"),
            java.lang.foreign.MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("pad")).withName("dint_kv_slot");

    /** {@code struct dint_kv_bucket}: one bucket of the kernel's cache. */
    public static final StructLayout KV_BUCKET = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_LONG.withName("lock"),
            JAVA_LONG.withName("bloom"),
            java.lang.foreign.MemoryLayout.sequenceLayout(KV_WAYS, KV_SLOT).withName("slot")).withName("dint_kv_bucket");

    /** {@code struct dint_kv_config}: KV settings the loader writes into .rodata.kv. */
    public static final StructLayout KV_CONFIG = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_LONG.withName("lease_ns"),
            JAVA_INT.withName("policy"),
            JAVA_INT.withName("pad")).withName("dint_kv_config");


    public static final int TXN_VALUE_SIZE = 40;
    public static final int TXN_F_EXISTS = 1;
    public static final int TXN_F_LOCKED = 2;
    public static final int TXN_F_UNLOCK = 4;
    /** {@code DINT_TXN_OBJ_EXISTS}: the existence bit of a record's version in a shard's cache. */
    public static final long TXN_OBJ_EXISTS = 1L << 32;

    /** {@code struct dint_shard_config}: a shard's settings the loader writes into .rodata.shard. */
    public static final StructLayout SHARD_CONFIG = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_LONG.withName("lease_ns"),
            JAVA_INT.withName("buckets"),
            JAVA_INT.withName("log_slots"),
            JAVA_INT.withName("lock_lease_ms"),
            JAVA_INT.withName("pad")).withName("dint_shard_config");

    /** {@code struct dint_shard_state}: a shard's epoch and recovery grace period (map shard_state). */
    public static final StructLayout SHARD_STATE = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_INT.withName("epoch"),
            JAVA_INT.withName("pad"),
            JAVA_LONG.withName("grace_until_ns")).withName("dint_shard_state");
    public static final int SHARD_STATE_EPOCH = offset(SHARD_STATE, "epoch");
    public static final int SHARD_STATE_GRACE_UNTIL_NS = offset(SHARD_STATE, "grace_until_ns");
    /** {@code DINT_SHARD_PINNED}: entries of a shard's map of transactions that logged there. */
    public static final int SHARD_PINNED = 262144;

    /** {@code struct dint_txn_msg}: transaction shard request and reply. */
    public static final StructLayout TXN_MSG = java.lang.foreign.MemoryLayout.structLayout(
            HDR.withName("hdr"),
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("txn_id"),
            JAVA_INT.withName("version"),
            JAVA_BYTE.withName("flags"),
            java.lang.foreign.MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("pad"),
            java.lang.foreign.MemoryLayout.sequenceLayout(TXN_VALUE_SIZE, JAVA_BYTE).withName("value")).withName("dint_txn_msg");

    /** {@code struct dint_occ_msg}: OCC request and reply. */
    public static final StructLayout OCC_MSG = java.lang.foreign.MemoryLayout.structLayout(
            HDR.withName("hdr"),
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("txn_id"),
            JAVA_INT.withName("version"),
            JAVA_BYTE.withName("locked"),
            JAVA_BYTE.withName("mine"),
            JAVA_SHORT.withName("pad")).withName("dint_occ_msg");

    /** {@code DINT_LOG_VALUE_SIZE}: bytes of a logged value. */
    public static final int LOG_VALUE_SIZE = 40;

    /** {@code struct dint_log_msg}: LOG_APPEND request and its reply. */
    public static final StructLayout LOG_MSG = java.lang.foreign.MemoryLayout.structLayout(
            HDR.withName("hdr"),
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("version"),
            java.lang.foreign.MemoryLayout.sequenceLayout(LOG_VALUE_SIZE, JAVA_BYTE).withName("value")).withName("dint_log_msg");

    /** {@code struct dint_log_entry}: one record of a log ring. */
    public static final StructLayout LOG_ENTRY = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("version"),
            java.lang.foreign.MemoryLayout.sequenceLayout(LOG_VALUE_SIZE, JAVA_BYTE).withName("value"),
            JAVA_LONG.withName("seq"),
            JAVA_INT.withName("client_id"),
            JAVA_INT.withName("pad")).withName("dint_log_entry");

    /** {@code struct dint_log_cursor}: head and tail of one log ring, each on its own cache line. */
    public static final StructLayout LOG_CURSOR = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_LONG.withName("head"),
            java.lang.foreign.MemoryLayout.sequenceLayout(7, JAVA_LONG).withName("pad1"),
            JAVA_LONG.withName("tail"),
            java.lang.foreign.MemoryLayout.sequenceLayout(7, JAVA_LONG).withName("pad2")).withName("dint_log_cursor");

    public static final int DEDUP_CLIENTS = 256;
    public static final int DEDUP_WINDOW = 8192;

    /** {@code struct dint_dedup_entry}: one remembered answer of a dedup window. */
    public static final StructLayout DEDUP_ENTRY = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_LONG.withName("seq"),
            JAVA_INT.withName("client_id"),
            JAVA_BYTE.withName("status"),
            JAVA_BYTE.withName("valid"),
            JAVA_SHORT.withName("pad")).withName("dint_dedup_entry");
    public static final int DEDUP_ENTRY_SIZE = (int) DEDUP_ENTRY.byteSize();
    public static final int DEDUP_SEQ = offset(DEDUP_ENTRY, "seq");
    public static final int DEDUP_CLIENT_ID = offset(DEDUP_ENTRY, "client_id");
    public static final int DEDUP_STATUS = offset(DEDUP_ENTRY, "status");
    public static final int DEDUP_VALID = offset(DEDUP_ENTRY, "valid");

    /** Every layout mirrored from the header, for the layout test. */
    public static final StructLayout[] ALL = {HDR, LOCK_MSG, LOCK_ENTRY, CONFIG, TXN_MSG, OCC_MSG,
        LOG_MSG, LOG_ENTRY, LOG_CURSOR, DEDUP_ENTRY, KV_OBJECT, KV_MSG, KV_SLOW, KV_SLOT, KV_BUCKET, KV_CONFIG, SHARD_CONFIG, SHARD_STATE, ALLOW_KEY};

    public static final int HDR_SIZE = (int) HDR.byteSize();
    public static final int HDR_OP = offset(HDR, "op");
    public static final int HDR_STATUS = offset(HDR, "status");
    public static final int HDR_RESERVED = offset(HDR, "reserved");
    public static final int HDR_CLIENT_ID = offset(HDR, "client_id");
    public static final int HDR_SEQ = offset(HDR, "seq");

    public static final int LOCK_MSG_SIZE = (int) LOCK_MSG.byteSize();
    public static final int LOCK_LOCK_ID = offset(LOCK_MSG, "lock_id");
    public static final int LOCK_TXN_ID = offset(LOCK_MSG, "txn_id");

    public static final int LOCK_ENTRY_SIZE = (int) LOCK_ENTRY.byteSize();
    public static final int LOCK_ENTRY_SPIN = offset(LOCK_ENTRY, "spin");
    public static final int LOCK_ENTRY_SHARED = offset(LOCK_ENTRY, "shared");
    public static final int LOCK_ENTRY_EXCLUSIVE = offset(LOCK_ENTRY, "exclusive");
    public static final int LOCK_ENTRY_VERSION = offset(LOCK_ENTRY, "version");
    public static final int LOCK_ENTRY_HOLDER = offset(LOCK_ENTRY, "holder");
    public static final int LOCK_ENTRY_SHARER = offset(LOCK_ENTRY, "sharer");
    public static final int LOCK_ENTRY_GRANTED_NS = offset(LOCK_ENTRY, "granted_ns");

    public static final int KV_OBJECT_SIZE = (int) KV_OBJECT.byteSize();
    public static final int KV_OBJECT_KEY = offset(KV_OBJECT, "key");
    public static final int KV_OBJECT_VERSION = offset(KV_OBJECT, "version");
    public static final int KV_OBJECT_VALUE = offset(KV_OBJECT, "value");

    public static final int KV_MSG_SIZE = (int) KV_MSG.byteSize();
    public static final int KV_MSG_OBJ = offset(KV_MSG, "obj");

    public static final int KV_SLOW_SIZE = (int) KV_SLOW.byteSize();
    public static final int KV_SLOW_LEASE = offset(KV_SLOW, "lease");
    public static final int KV_SLOW_BUCKET = offset(KV_SLOW, "bucket");
    public static final int KV_SLOW_WAY = offset(KV_SLOW, "way");
    public static final int KV_SLOW_FLAGS = offset(KV_SLOW, "flags");
    public static final int KV_SLOW_BLOOM = offset(KV_SLOW, "bloom");
    public static final int KV_SLOW_VICTIM = offset(KV_SLOW, "victim");

    public static final int KV_SLOT_SIZE = (int) KV_SLOT.byteSize();
    public static final int KV_SLOT_OBJ = offset(KV_SLOT, "obj");
    public static final int KV_SLOT_VALID = offset(KV_SLOT, "valid");
    public static final int KV_SLOT_DIRTY = offset(KV_SLOT, "dirty");

    public static final int KV_BUCKET_SIZE = (int) KV_BUCKET.byteSize();
    public static final int KV_BUCKET_LOCK = offset(KV_BUCKET, "lock");
    public static final int KV_BUCKET_BLOOM = offset(KV_BUCKET, "bloom");
    public static final int KV_BUCKET_SLOT = offset(KV_BUCKET, "slot");

    public static final int KV_CONFIG_LEASE_NS = offset(KV_CONFIG, "lease_ns");
    public static final int KV_CONFIG_POLICY = offset(KV_CONFIG, "policy");

    public static final int SHARD_CONFIG_LEASE_NS = offset(SHARD_CONFIG, "lease_ns");
    public static final int SHARD_CONFIG_BUCKETS = offset(SHARD_CONFIG, "buckets");
    public static final int SHARD_CONFIG_LOG_SLOTS = offset(SHARD_CONFIG, "log_slots");
    public static final int SHARD_CONFIG_LOCK_LEASE_MS = offset(SHARD_CONFIG, "lock_lease_ms");
    public static final int TXN_MSG_SIZE = (int) TXN_MSG.byteSize();
    public static final int TXN_KEY = offset(TXN_MSG, "key");
    public static final int TXN_TXN_ID = offset(TXN_MSG, "txn_id");
    public static final int TXN_VERSION = offset(TXN_MSG, "version");
    public static final int TXN_FLAGS = offset(TXN_MSG, "flags");
    public static final int TXN_VALUE = offset(TXN_MSG, "value");

    public static final int OCC_MSG_SIZE = (int) OCC_MSG.byteSize();
    public static final int OCC_KEY = offset(OCC_MSG, "key");
    public static final int OCC_TXN_ID = offset(OCC_MSG, "txn_id");
    public static final int OCC_VERSION = offset(OCC_MSG, "version");
    public static final int OCC_LOCKED = offset(OCC_MSG, "locked");
    public static final int OCC_MINE = offset(OCC_MSG, "mine");
    public static final int OCC_PAD = offset(OCC_MSG, "pad");

    public static final int LOG_MSG_SIZE = (int) LOG_MSG.byteSize();
    public static final int LOG_KEY = offset(LOG_MSG, "key");
    public static final int LOG_VERSION = offset(LOG_MSG, "version");
    public static final int LOG_VALUE = offset(LOG_MSG, "value");

    public static final int LOG_ENTRY_SIZE = (int) LOG_ENTRY.byteSize();
    public static final int LOG_ENTRY_KEY = offset(LOG_ENTRY, "key");
    public static final int LOG_ENTRY_VERSION = offset(LOG_ENTRY, "version");
    public static final int LOG_ENTRY_VALUE = offset(LOG_ENTRY, "value");
    public static final int LOG_ENTRY_SEQ = offset(LOG_ENTRY, "seq");
    public static final int LOG_ENTRY_CLIENT_ID = offset(LOG_ENTRY, "client_id");

    public static final int LOG_CURSOR_SIZE = (int) LOG_CURSOR.byteSize();
    public static final int LOG_CURSOR_HEAD = offset(LOG_CURSOR, "head");
    public static final int LOG_CURSOR_TAIL = offset(LOG_CURSOR, "tail");

    public static final int CONFIG_MAC = offset(CONFIG, "mac");
    /** Where the loader writes the size of the program's main table, in that program's unit ({@link #CONFIG}). */
    public static final int CONFIG_TABLE = offset(CONFIG, "table");
    public static final int CONFIG_ALLOW = offset(CONFIG, "allow");
    public static final int CONFIG_ALLOW_ADDR = offset(CONFIG, "allow_addr");
    public static final int CONFIG_ALLOW_MASK = offset(CONFIG, "allow_mask");

    public static final int ALLOW_KEY_PREFIXLEN = offset(ALLOW_KEY, "prefixlen");
    public static final int ALLOW_KEY_ADDR = offset(ALLOW_KEY, "addr");

    private static int offset(StructLayout layout, String member) {
        return (int) layout.byteOffset(groupElement(member));
    }
}
