/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The DINT wire format: the single source of truth for every message, opcode, status and
 * constant shared by the in-kernel programs and the Java side. Plain fixed-width structs with
 * explicit padding, network byte order nowhere: every field is little-endian, as the hosts that
 * speak it are. io.dint.wire.Wire mirrors this file and WireLayoutTest checks the mirror against
 * the BTF of the compiled objects.
 */
#ifndef DINT_WIRE_H
#define DINT_WIRE_H

#include <linux/types.h>

/* Well-known UDP port of every service (the original used the same). */
#define DINT_PORT 20230

/* Largest UDP payload any service accepts; anything larger to our port is dropped and counted. */
#define DINT_MAX_PAYLOAD 256

/*
 * Operation codes (dint_hdr.op). Each service owns a range: 2PL lock 1-9, OCC lock 10-19,
 * commit log 20-29, KV store 30-49, transaction shards 50-99.
 */
enum dint_op {
	DINT_OP_NONE = 0,
	/* 2PL lock service (no-wait). */
	DINT_OP_LOCK_ACQUIRE_SHARED = 1,
	DINT_OP_LOCK_ACQUIRE_EXCLUSIVE = 2,
	DINT_OP_LOCK_RELEASE_SHARED = 3,
	DINT_OP_LOCK_RELEASE_EXCLUSIVE = 4,
	/* OCC lock service (FaSST style): struct dint_occ_msg. */
	DINT_OP_OCC_READ = 10,
	DINT_OP_OCC_ACQUIRE = 11,
	DINT_OP_OCC_ABORT = 12,
	DINT_OP_OCC_COMMIT = 13,
	/* Commit log: struct dint_log_msg. */
	DINT_OP_LOG_APPEND = 20,
	/* KV store (struct dint_kv_msg). */
	DINT_OP_KV_GET = 30,
	DINT_OP_KV_SET = 31,    /* update an existing key: NOT_EXIST if there is none */
	DINT_OP_KV_INSERT = 32, /* add a new key: EXISTS if it is there already */
	DINT_OP_KV_DELETE = 33,
	/* Transaction shards (Smallbank on 2PL, TATP on OCC), DESIGN §3. */
	DINT_OP_TXN_READ = 50,              /* value, version, flags */
	DINT_OP_TXN_LOCK_SHARED = 51,       /* 2PL lock + read */
	DINT_OP_TXN_LOCK_EXCLUSIVE = 52,    /* 2PL lock + read */
	DINT_OP_TXN_RELEASE_SHARED = 53,
	DINT_OP_TXN_RELEASE_EXCLUSIVE = 54,
	DINT_OP_TXN_OCC_LOCK = 55,          /* OCC write-set lock + read */
	DINT_OP_TXN_OCC_ABORT = 56,         /* OCC unlock without writing */
	DINT_OP_TXN_VALIDATE = 57,          /* version and lock bit only */
	DINT_OP_TXN_COMMIT_LOG = 58,        /* commit order: LOG to all 3 replicas, */
	DINT_OP_TXN_COMMIT_BACKUP = 59,     /* then BACKUP to the 2 backups, */
	DINT_OP_TXN_COMMIT_PRIMARY = 60,    /* then PRIMARY (OCC: unlocks with DINT_TXN_F_UNLOCK) */
	DINT_OP_TXN_INSERT_LOG = 61,
	DINT_OP_TXN_INSERT_BACKUP = 62,
	DINT_OP_TXN_INSERT_PRIMARY = 63,
	DINT_OP_TXN_DELETE_LOG = 64,
	DINT_OP_TXN_DELETE_BACKUP = 65,
	DINT_OP_TXN_DELETE_PRIMARY = 66,
	DINT_OP_MAX = 100,
};

/*
 * Reply statuses (dint_hdr.status); a request carries DINT_ST_REQUEST. Shared by all services;
 * new ones are appended: OCC 10-19, log 20-29, KV 30-49, transactions 50-99.
 */
enum dint_status {
	DINT_ST_REQUEST = 0,
	DINT_ST_GRANT = 1,     /* lock granted */
	DINT_ST_REJECT = 2,    /* conflicting holder: abort and restart (no-wait) */
	DINT_ST_RETRY = 3,     /* entry busy: resend the same request */
	DINT_ST_OK = 4,        /* release done */
	DINT_ST_NOT_HELD = 5,  /* release refused: the caller does not hold it */
	DINT_ST_NO_SPACE = 50, /* a shard's store is full: the record cannot be created */
	/*
	 * Answers to a transaction install (COMMIT/INSERT/DELETE at BACKUP or PRIMARY); the reply's
	 * version is the record's after the request. Versions order a record's installs.
	 */
	DINT_ST_APPLIED = 51,         /* newer than the record: written */
	DINT_ST_ALREADY_APPLIED = 52, /* the record is this very write (same version and content): a retransmission */
	DINT_ST_REFUSED = 53,         /* the record is newer, or the same version with other content: a conflict, nothing written */
	/*
	 * Answer to a LOG whose sender holds locks at this shard from an epoch it has left (it
	 * restarted, or took a lock over whose lease ran out): those locks may be gone, so the
	 * transaction must not commit. Nothing appended.
	 */
	DINT_ST_STALE = 54,
	/* KV store; a busy bucket is answered DINT_ST_RETRY. */
	DINT_ST_KV_OK = 30,        /* done; GET, SET and INSERT carry the object's version (and GET its value) */
	DINT_ST_KV_NOT_EXIST = 31, /* GET, SET or DELETE of a key that does not exist */
	DINT_ST_KV_EXISTS = 32,    /* INSERT of a key that exists */
};

/*
 * Every message starts with this header. (client_id, seq) identifies a request: pipelined
 * replies are matched on it and a retransmission carries the same pair.
 *
 * seq = incarnation << DINT_SEQ_INCARNATION_SHIFT | counter: the high 32 bits are a random
 * incarnation a client draws when it starts (never 0), the low 32 bits its own request counter.
 * Client ids are reused — by a restarted process, by clients made per call — and each new client
 * counts from 0 again; its incarnation keeps its request ids apart from every one of its
 * predecessors, so a server's dedup window (below) never takes a new request for an old one.
 */
#define DINT_SEQ_INCARNATION_SHIFT 32

/*
 * reserved: 0, except between a coordinator and a transaction shard, where it carries the shard's
 * epoch (struct dint_shard_state): every reply the epoch the shard is in, a LOG request the epoch
 * of the sender's lock grants at that shard (0 when it holds none there).
 */
struct dint_hdr {
	__u8 op;
	__u8 status;
	__u16 reserved;
	__u32 client_id;
	__u64 seq;
};

/* 2PL lock request and reply (the reply is the request with status set). */
struct dint_lock_msg {
	struct dint_hdr hdr;
	__u64 lock_id;
	__u64 txn_id; /* the transaction asking: recorded as the holder or sharer */
};

/*
 * One entry of every lock table (the 2PL service's, the OCC service's, a shard's), indexed by
 * dint_hash64(key) % size; lock_rules.h holds the rules, io.dint.lock.LockRules their Java twin.
 * Unrelated keys may share an entry, so it records who holds it: holder, the transaction holding
 * every exclusive grant, and sharer, the one holding every shared grant (DINT_LOCK_SHARERS when
 * several do), so that a transaction never conflicts with its own grants on the entry. No request
 * may name txn 0 (no holder) or DINT_LOCK_SHARERS. granted_ns starts the entry's lease: a shard
 * may take over an entry whose one holder got no grant for longer than its lease (lock_rules.h).
 */
#define DINT_LOCK_SHARERS 0xffffffffffffffffULL

struct dint_lock_entry {
	__u32 spin;      /* 0 free, 1 taken: CAS-guarded, never spun on in the kernel */
	__u32 shared;    /* shared grants */
	__u32 exclusive; /* exclusive grants, all by holder */
	__u32 version;   /* OCC service: bumped by each COMMIT (FaSST keeps it with the lock); else 0 */
	__u64 holder;    /* txn_id of the exclusive holder, 0 when exclusive == 0 */
	__u64 sharer;    /* txn_id of every shared holder, DINT_LOCK_SHARERS if several, 0 if none */
	__u64 granted_ns; /* a shard's: bpf_ktime_get_ns() at the last grant, where the lease starts; else 0 */
};

/*
 * Per-program settings written by the loader into .rodata before load (const volatile, so the
 * verifier and JIT see constants). mac: the interface's own address; frames to any other
 * destination (a bridge floods unknown unicast) are not ours. All-zero mac accepts any, for
 * test-run fixtures. table_size: entries of the service's main table. allow: how many client
 * prefixes requests are served from (0: from anywhere, and nothing is looked at); they are in the
 * program's allowlist map, and the first one also here (allow_addr/allow_mask, network byte
 * order), so that a list of one prefix — the common case — costs a mask and a compare.
 */
struct dint_config {
	__u8 mac[6];
	__u16 pad;
	__u32 table_size;
	__u32 allow;
	__u32 allow_addr;
	__u32 allow_mask;
};

/*
 * Key of the allowlist (an LPM trie of up to DINT_ALLOW_MAX client prefixes): prefixlen bits of
 * addr, an IPv4 address in network byte order.
 */
#define DINT_ALLOW_MAX 256

struct dint_allow_key {
	__u32 prefixlen;
	__u32 addr;
};

/* dint_txn_msg.flags */
#define DINT_TXN_F_EXISTS 1 /* reply: the record exists (not absent or deleted) */
#define DINT_TXN_F_LOCKED 2 /* reply: the record is locked exclusively (validation fails on it) */
#define DINT_TXN_F_UNLOCK 4 /* request to a primary: release the writer's OCC lock with the install */

/* Size of every value in a transaction record (TATP rows; Smallbank uses the first 8 bytes). */
#define DINT_TXN_VALUE_SIZE 40

/*
 * Transaction shard request and reply. Reads and locks return the record's value, version and
 * flags; installs carry the new value and version (the writer's read version + 1), so a
 * retransmitted install is recognised by its version and applied once.
 */
struct dint_txn_msg {
	struct dint_hdr hdr;
	__u64 key;
	__u64 txn_id;
	__u32 version;
	__u8 flags;
	__u8 pad[3];
	__u8 value[DINT_TXN_VALUE_SIZE];
};

/*
 * Recognising retransmissions: a service whose operations are not idempotent (2PL lock counts)
 * remembers the status it answered for the last DINT_DEDUP_WINDOW request ids of each of
 * DINT_DEDUP_CLIENTS client slots, at (client_id % CLIENTS) * WINDOW + seq % WINDOW, and answers a
 * retransmission (same client_id and the whole 64-bit seq, incarnation included) with it instead
 * of applying it again. The slot comes from the counter's low bits only, so a client's restarted
 * successor shares its slots but never matches its entries. A client keeps fewer than WINDOW
 * requests outstanding, so an entry is not reused while its request may still be resent.
 */
#define DINT_DEDUP_CLIENTS 256
#define DINT_DEDUP_WINDOW 8192

struct dint_dedup_entry {
	__u64 seq;
	__u32 client_id;
	__u8 status;
	__u8 valid;
	__u16 pad;
};

/*
 * Indices of the per-CPU counters every service program keeps (map "stats"). 0-6 and 56-63 are
 * common; each service owns a range: 2PL lock 7-11, OCC lock 12-19, log 20-27, KV 28-39,
 * transactions 40-55.
 */
enum dint_stat {
	DINT_STAT_RX = 0,            /* packets seen by the program */
	DINT_STAT_TX = 1,            /* replies sent with XDP_TX */
	DINT_STAT_PASS_NOT_OURS = 2, /* not IPv4/UDP to our port: passed untouched */
	DINT_STAT_DROP_IP_OPTIONS = 3, /* ours but with IP options or fragmented: dropped */
	DINT_STAT_DROP_TRUNCATED = 4,  /* ours but shorter than its message */
	DINT_STAT_DROP_BAD_LENGTH = 5, /* UDP length disagrees with the packet, or oversize */
	DINT_STAT_DROP_BAD_OP = 6,     /* unknown opcode or a reply sent to us */
	DINT_STAT_GRANT = 7,
	DINT_STAT_REJECT = 8,
	DINT_STAT_RETRY = 9,
	DINT_STAT_RELEASE = 10,
	DINT_STAT_NOT_HELD = 11,
	DINT_STAT_OCC_READ = 12,
	DINT_STAT_OCC_GRANT = 13,
	DINT_STAT_OCC_REJECT = 14,
	DINT_STAT_OCC_RETRY = 15,
	DINT_STAT_OCC_COMMIT = 16,
	DINT_STAT_OCC_ABORT = 17,
	DINT_STAT_OCC_NOT_HELD = 18,
	DINT_STAT_DUPLICATE = 19,    /* a retransmitted request answered from the dedup window */
	DINT_STAT_LOG_APPEND = 20,   /* records appended and ACKed */
	DINT_STAT_LOG_FULL = 21,     /* ring full: answered RETRY, nothing overwritten */
	DINT_STAT_KV_GET_HIT = 28,       /* GET answered from the cache */
	DINT_STAT_KV_SET_HIT = 29,       /* SET written in place (write-back) */
	DINT_STAT_KV_INSERT_HIT = 30,    /* INSERT answered in the kernel: installed, or EXISTS */
	DINT_STAT_KV_NOT_EXIST = 31,     /* answered NOT_EXIST from the Bloom word */
	DINT_STAT_KV_RETRY = 32,         /* bucket locked: answered RETRY */
	DINT_STAT_KV_LEASE_TAKEOVER = 33,/* a lock older than the lease taken over */
	DINT_STAT_KV_SLOW = 34,          /* grown and passed to the slow path (bucket left locked) */
	DINT_STAT_KV_WRITEBACK = 35,     /* ... carrying a dirty victim to write back */
	DINT_STAT_KV_TC_INSTALL = 36,    /* slow-path reply: object installed, bucket unlocked, shrunk */
	DINT_STAT_KV_TC_RELEASE = 37,    /* slow-path reply: nothing to install; unlocked, shrunk */
	DINT_STAT_KV_TC_STALE = 38,      /* slow-path reply whose lease was taken over: only shrunk */
	DINT_STAT_KV_TC_BAD = 39,        /* from our port but not a slow-path reply: passed untouched */
	/* Transaction shards (40-55); their cache also counts KV_LEASE_TAKEOVER, KV_SLOW, */
	/* KV_WRITEBACK and KV_TC_*, their locks GRANT..NOT_HELD, their log LOG_APPEND and LOG_FULL. */
	DINT_STAT_TXN_READ_HIT = 40,     /* read, lock + read or validate answered from the cache */
	DINT_STAT_TXN_ABSENT = 41,       /* ... answered "no such record" from the Bloom word */
	DINT_STAT_TXN_INSTALL_HIT = 42,  /* commit, insert or delete installed in the cache */
	DINT_STAT_TXN_BUSY = 43,         /* record's bucket locked: answered RETRY */
	DINT_STAT_TXN_TC_BUSY = 44,      /* slow-path reply to an unlocking install dropped: lock entry busy */
	DINT_STAT_TXN_LOCK_TAKEOVER = 45,/* a lock whose lease ran out taken over (the epoch advanced) */
	DINT_STAT_TXN_STALE = 46,        /* LOG answered STALE: the sender's locks are from an earlier epoch */
	DINT_STAT_TXN_GRACE = 47,        /* read or lock answered RETRY: recovering, in the grace period */
	/* Common counters added later (56-63). */
	DINT_STAT_DROP_NOT_ALLOWED = 56, /* ours, from a source outside the allowlist */
	DINT_STAT_DROP_BAD_HEADER = 57,  /* ours, but a bad IP checksum, a group source MAC or a martian source */
	DINT_STAT_MAX = 64,
};

/* ---- OCC lock service (FaSST style) ---- */

/*
 * OCC request and reply (the reply is the request with status and the entry's state set).
 * READ -> OK; ACQUIRE -> GRANT, REJECT or RETRY; ABORT and COMMIT -> OK or NOT_HELD. Every reply
 * but RETRY carries the entry's state after the operation (version, locked, mine); a RETRY
 * carries zeros.
 */
struct dint_occ_msg {
	struct dint_hdr hdr;
	__u64 key;
	__u64 txn_id;  /* the transaction asking (never 0 or all ones): the holder it becomes or must be */
	__u32 version; /* reply: the entry's version (after COMMIT: the bumped one) */
	__u8 locked;   /* reply: 1 when the entry is locked */
	__u8 mine;     /* reply: 1 when it is locked by txn_id (validation passes on those) */
	__u16 pad;
};

/* ---- Commit log ---- */

#define DINT_LOG_VALUE_SIZE 40

/* LOG_APPEND request and its ACK (OK) or RETRY (ring full): the request with status set. */
struct dint_log_msg {
	struct dint_hdr hdr;
	__u64 key;
	__u64 version;
	__u8 value[DINT_LOG_VALUE_SIZE];
};

/*
 * One record of a log ring: the appended {key, version, value} and the request id, so a
 * retransmitted append is recognised when the log is replayed.
 */
struct dint_log_entry {
	__u64 key;
	__u64 version;
	__u8 value[DINT_LOG_VALUE_SIZE];
	__u64 seq;
	__u32 client_id;
	__u32 pad;
};

/*
 * Cursor of one ring (one per CPU). head counts records appended, written only by the producer
 * (XDP on that CPU) and published after the record; tail counts records drained, written only by
 * the drainer once the records are in the log file. A ring is full when head - tail == slots:
 * the producer answers RETRY instead of overwriting. Each on its own cache line.
 */
struct dint_log_cursor {
	__u64 head;
	__u64 pad1[7];
	__u64 tail;
	__u64 pad2[7];
};

	/* KV store: XDP program (28-35) and TC egress program (36-39). */

/* ---- KV store with an in-kernel write-back cache ---- */

#define DINT_KV_VALUE_SIZE 40
#define DINT_KV_WAYS 4
#define DINT_KV_NO_WAY 255 /* dint_kv_slow.way of a DELETE whose key is not cached */

/* dint_kv_slow.flags */
#define DINT_KV_VICTIM 1     /* request: victim holds a dirty object to write back first */
#define DINT_KV_INSTALL 2    /* reply: install the message's object in way, clean */
#define DINT_KV_INVALIDATE 4 /* reply to DELETE: drop the key from way, bloom is the new word */

/* Cache policies (dint_kv_config.policy), chosen at server start. */
#define DINT_KV_WRITE_BACK_BLOOM 0 /* SET hits stay in the kernel; a clear Bloom bit answers NOT_EXIST */
#define DINT_KV_WRITE_BACK 1       /* the same without Bloom filter: every miss goes to user space */
#define DINT_KV_WRITE_THROUGH 2    /* every SET, INSERT and DELETE goes to user space */

/* A key and its value; the bucket is dint_hash64(key) % buckets, the Bloom bit its top 6 bits. */
struct dint_kv_object {
	__u64 key;
	__u64 version; /* 1 when inserted, +1 per SET */
	__u8 value[DINT_KV_VALUE_SIZE];
};

/* KV request and reply (the reply is the request rewritten). */
struct dint_kv_msg {
	struct dint_hdr hdr;
	struct dint_kv_object obj;
};

/*
 * What the XDP program appends to a request it passes to the slow path, and the slow path sends
 * back behind its reply for the TC egress program, which removes it again. The bucket stays
 * locked meanwhile with lease as the lock value; TC acts only while the lock still holds it.
 */
struct dint_kv_slow {
	__u64 lease;  /* bucket lock value (bpf_ktime_get_ns when taken) */
	__u32 bucket;
	__u8 way;     /* the slot the object goes into, or holds the key (DELETE, write-through) */
	__u8 flags;   /* DINT_KV_VICTIM | DINT_KV_INSTALL | DINT_KV_INVALIDATE */
	__u16 pad;
	__u64 bloom;  /* reply to DELETE: Bloom word of the keys user space holds in the bucket */
	struct dint_kv_object victim;
};

struct dint_kv_slot {
	struct dint_kv_object obj;
	__u8 valid;
	__u8 dirty; /* newer than user space's copy (or unknown to it): write back before eviction */
	__u8 pad[6];
};

/* One bucket of the cache (array map kv_cache, dint_config.table_size buckets). */
struct dint_kv_bucket {
	__u64 lock;  /* 0 free, else the lease: bpf_ktime_get_ns() when taken; CAS-guarded */
	__u64 bloom; /* bit (hash >> 58) of every key of the bucket, cached or not */
	struct dint_kv_slot slot[DINT_KV_WAYS];
};

/* KV settings in .rodata.kv, written by the loader like dint_config. */
struct dint_kv_config {
	__u64 lease_ns; /* a bucket lock older than this may be taken over */
	__u32 policy;   /* DINT_KV_WRITE_BACK_BLOOM, _WRITE_BACK or _WRITE_THROUGH */
	__u32 pad;
};

/* ---- Transaction shards in the kernel ---- */

/*
 * A shard's XDP program keeps records in a KV cache (struct dint_kv_bucket) whose objects are
 * {key, version | DINT_TXN_OBJ_EXISTS when the row exists, value}; the Java slow path holds
 * every record. Its settings, in .rodata.shard (dint_config.table_size is the lock table's size).
 */
#define DINT_TXN_OBJ_EXISTS (1ULL << 32)

struct dint_shard_config {
	__u64 lease_ns;  /* a bucket lock older than this may be taken over */
	__u32 buckets;   /* cache buckets */
	__u32 log_slots; /* records per CPU ring of the commit log (a power of two) */
	__u32 lock_lease_ms; /* a transaction lock granted longer ago than this may be taken over, unless pinned */
	__u32 pad;
};

/*
 * A shard's epoch and recovery state (map shard_state, one entry, BPF_F_MMAPABLE). The epoch, a
 * random nonzero 16-bit number drawn when the shard starts, goes into every reply; it advances
 * whenever the shard takes over a lock whose lease ran out, and a restarted shard draws a new one,
 * so a transaction that got locks here in an earlier epoch can tell they may be gone. Until
 * grace_until_ns a recovering shard answers reads and locks RETRY: transactions that held locks
 * here before it restarted finish their installs first.
 */
struct dint_shard_state {
	__u32 epoch;          /* low 16 bits used, never 0 */
	__u32 pad;
	__u64 grace_until_ns; /* bpf_ktime_get_ns() until which reads and locks are answered RETRY */
};

/* Entries of a shard's pinned-transaction map: transactions that logged here, whose locks no lease ends. */
#define DINT_SHARD_PINNED 262144

#endif /* DINT_WIRE_H */
