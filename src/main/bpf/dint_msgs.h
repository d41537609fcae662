/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The DINT wire messages: port, opcodes, statuses, the common header and every request/reply
 * struct, with the trailer a slow-path request carries. Plain fixed-width structs with explicit
 * padding, network byte order nowhere: every field is little-endian, as the hosts that speak it
 * are. Part of dint_wire.h (which includes this); mirrored by io.dint.wire and checked against
 * BTF by WireLayoutTest.
 */
#ifndef DINT_MSGS_H
#define DINT_MSGS_H

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
	/* Transaction shards (Smallbank on 2PL, TATP on OCC): see workload/Smallbank.java and Tatp.java. */
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

/* ---- KV store with an in-kernel write-back cache ---- */

#define DINT_KV_VALUE_SIZE 40
#define DINT_KV_NO_WAY 255 /* dint_kv_slow.way of a DELETE whose key is not cached */

/* dint_kv_slow.flags */
#define DINT_KV_VICTIM 1     /* request: victim holds a dirty object to write back first */
#define DINT_KV_INSTALL 2    /* reply: install the message's object in way, clean */
#define DINT_KV_INVALIDATE 4 /* reply to DELETE: drop the key from way, bloom is the new word */

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
 *
 * victim does two jobs. Going up (DINT_KV_VICTIM) it is the dirty object the slow path writes back
 * before the slot is reused, in both services. Coming back it is unused by the KV store, whose
 * reply message is itself header + object (kv_tc_reply's obj_in_trailer 0), but for a transaction
 * shard, whose dint_txn_msg has another shape, the slow path fills it with the record to install
 * in way (obj_in_trailer 1; io.dint.wire.Wire.KV_SLOW_VICTIM is its offset).
 */
struct dint_kv_slow {
	__u64 lease;  /* bucket lock value (bpf_ktime_get_ns when taken) */
	__u32 bucket;
	__u8 way;     /* the slot the object goes into, or holds the key (DELETE, write-through) */
	__u8 flags;   /* DINT_KV_VICTIM | DINT_KV_INSTALL | DINT_KV_INVALIDATE */
	__u16 pad;
	__u64 bloom;  /* reply to DELETE: Bloom word of the keys user space holds in the bucket */
	struct dint_kv_object victim; /* up: the dirty object to write back; down, for shards: the record to install */
};

#endif /* DINT_MSGS_H */
