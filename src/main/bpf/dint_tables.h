/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Entries of the kernel's tables (BPF maps): lock entries, dedup windows, log rings, the KV
 * cache's buckets and slots, a shard's state. Part of dint_wire.h; the ones Java reads or writes
 * are mirrored by io.dint.wire and checked against BTF by WireLayoutTest.
 */
#ifndef DINT_TABLES_H
#define DINT_TABLES_H

#include "dint_msgs.h"

/* ---- Locks (2PL service, OCC service, transaction shards) ---- */

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

/* ---- Commit log ---- */

/*
 * One record of a log ring: the appended {key, version, value} and the request id, so a
 * retransmitted append is recognised when the log is replayed. A transaction shard's LOG packs
 * its op into version: version = (__u64)op << 32 | the install's 32-bit version, op being the
 * dint_op of the install it logs (DINT_OP_TXN_COMMIT_LOG, _INSERT_LOG or _DELETE_LOG), which
 * replay (io.dint.shard.ShardLog, RecordFile) takes from bits 32-39. The commit log service stores
 * the request's 64-bit version as it came.
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

/* ---- KV cache (the KV store's, and a transaction shard's record cache) ---- */

#define DINT_KV_WAYS 4

struct dint_kv_slot {
	struct dint_kv_object obj;
	__u8 valid;
	__u8 dirty; /* newer than user space's copy (or unknown to it): write back before eviction */
	__u8 pad[6];
};

/*
 * One bucket of the cache (array map kv_cache): dint_config.table.buckets in the KV store,
 * dint_shard_config.buckets in a shard.
 */
struct dint_kv_bucket {
	__u64 lock;  /* 0 free, else the lease: bpf_ktime_get_ns() when taken; CAS-guarded */
	__u64 bloom; /* bit (hash >> 58) of every key of the bucket, cached or not */
	struct dint_kv_slot slot[DINT_KV_WAYS];
};

/* ---- Transaction shards ---- */

/*
 * A shard's XDP program keeps records in a KV cache (struct dint_kv_bucket) whose objects are
 * {key, version | DINT_TXN_OBJ_EXISTS when the row exists, value}; the Java slow path holds
 * every record.
 */
#define DINT_TXN_OBJ_EXISTS (1ULL << 32)

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

#endif /* DINT_TABLES_H */
