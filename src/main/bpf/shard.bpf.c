// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * A transaction shard (Smallbank on 2PL, TATP on OCC) answered in XDP: the records in the KV
 * cache of kv_cache.h, the locks in a lock table of their own, the commit log in the per-CPU
 * rings of log_ring.h, and a dedup window for what must happen once per request.
 *
 *   READ, VALIDATE              the record from the cache; a clear Bloom bit means the shard
 *                               has never had the record: version 0, absent
 *   LOCK_SHARED, LOCK_EXCLUSIVE, OCC_LOCK
 *                               the lock (no-wait, the rules of every lock table: lock_rules.h;
 *                               an OCC lock is an exclusive one), then the record as a READ, in
 *                               the same reply
 *   RELEASE_*, OCC_ABORT        the lock table only
 *   COMMIT/INSERT/DELETE_LOG    appended to this CPU's ring, ACKed
 *   COMMIT/INSERT/DELETE_BACKUP and _PRIMARY
 *                               installed in the cache when newer than the cached record (the
 *                               version orders them; a retransmission is not newer), dirty;
 *                               DINT_TXN_F_UNLOCK also releases the writer's exclusive lock
 *
 * A record that is not cached but may exist goes up to the Java slow path as the KV store's
 * misses do: the request grown by a struct dint_kv_slow naming the slot it will take and the
 * dirty victim to write back, the bucket left locked under a lease. The slow path (a UDP socket
 * of the same port, holding every record) writes the victim back, serves the request against
 * its records and answers with the record to install in the slot's trailer; shard_tc_egress
 * installs it clean, unlocks the bucket and shrinks the reply. Locks never go up: a lock is
 * granted here before its record is fetched, and a lock released by an install is released here
 * once the install is on its way (the bucket lock keeps every access to the record waiting until
 * the slow path's answer is in the cache).
 *
 * Lock counts and log appends change once per request: a retransmission (same client and seq)
 * is answered from the dedup window; a granted lock's retransmission is answered with the record
 * again. Installs are ordered by their versions and need no window, except those that unlock.
 * A busy lock entry or bucket is answered RETRY, and the request changes nothing it did not
 * also record in the window.
 */
#include "kv_cache.h"
#include "log_ring.h"
#include "lock_rules.h"

/* Set by the loader, like dint_cfg (whose table_size is the lock table's). */
const volatile struct dint_shard_config shard_cfg SEC(".rodata.shard") = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized by the loader before load: shard_cfg.buckets */
	__type(key, __u32);
	__type(value, struct dint_kv_bucket);
} shard_cache SEC(".maps");

DINT_TABLE(lock_table, struct dint_lock_entry);
DINT_DEDUP_MAP(dedup);

static __always_inline int is_log(__u8 op)
{
	return op == DINT_OP_TXN_COMMIT_LOG || op == DINT_OP_TXN_INSERT_LOG || op == DINT_OP_TXN_DELETE_LOG;
}

static __always_inline int is_install(__u8 op)
{
	return op == DINT_OP_TXN_COMMIT_BACKUP || op == DINT_OP_TXN_COMMIT_PRIMARY ||
	       op == DINT_OP_TXN_INSERT_BACKUP || op == DINT_OP_TXN_INSERT_PRIMARY ||
	       op == DINT_OP_TXN_DELETE_BACKUP || op == DINT_OP_TXN_DELETE_PRIMARY;
}

static __always_inline int is_lock(__u8 op)
{
	return op == DINT_OP_TXN_LOCK_SHARED || op == DINT_OP_TXN_LOCK_EXCLUSIVE || op == DINT_OP_TXN_OCC_LOCK;
}

/* A lock or release on e, whose spin the caller holds: the rules of lock_rules.h. */
static __always_inline __u8 lock_op(struct dint_lock_entry *e, __u8 op, __u64 txn)
{
	switch (op) {
	case DINT_OP_TXN_LOCK_SHARED: return lock_shared(e, txn);
	case DINT_OP_TXN_LOCK_EXCLUSIVE:
	case DINT_OP_TXN_OCC_LOCK: return lock_exclusive(e, txn);
	case DINT_OP_TXN_RELEASE_SHARED: return unlock_shared(e, txn);
	default: return unlock_exclusive(e, txn); /* RELEASE_EXCLUSIVE, OCC_ABORT */
	}
}

/* Answers the request RETRY, counted as stat: it changed nothing, and the client resends it. */
static __always_inline int retry(struct dint_pkt *pkt, struct dint_txn_msg *msg, __u32 stat)
{
	dint_count(stat);
	msg->hdr.status = DINT_ST_RETRY;
	return dint_reply(pkt);
}

/*
 * Bucket idx of the cache, locked with lease now; NULL when it is missing (unreachable once
 * loaded) or busy, with *verdict the answer: a drop, or RETRY.
 */
static __always_inline struct dint_kv_bucket *lock_bucket(struct dint_pkt *pkt, struct dint_txn_msg *msg, __u32 idx,
							  __u64 now, int *verdict)
{
	struct dint_kv_bucket *b = bpf_map_lookup_elem(&shard_cache, &idx);

	if (!b) {
		dint_count(DINT_STAT_DROP_BAD_OP);
		*verdict = XDP_DROP;
		return 0;
	}
	if (!kv_lock(b, now, shard_cfg.lease_ns)) {
		*verdict = retry(pkt, msg, DINT_STAT_TXN_BUSY);
		return 0;
	}
	return b;
}

/* Grows the request for the slow path; when it cannot grow, answers RETRY (counted) instead. */
static __always_inline int to_slow_path(struct xdp_md *ctx, struct dint_pkt *pkt, struct dint_kv_bucket *b,
					__u32 idx, __u64 lease)
{
	struct dint_txn_msg *msg;
	int verdict = kv_to_slow_path(ctx, b, idx, kv_victim(b), lease, sizeof(*msg));

	if (verdict >= 0)
		return verdict;
	if (!kv_repoint(ctx, pkt, sizeof(*msg)))
		return XDP_DROP;
	return retry(pkt, pkt->payload, DINT_STAT_TXN_BUSY);
}

/*
 * Answers a read (status OK) or a granted lock (status GRANT) with the record: version, flags
 * (DINT_TXN_F_LOCKED when another transaction holds e exclusively) and value — from the cache,
 * as absent when the Bloom word says the bucket never had the key, else from the slow path.
 */
static __always_inline int serve_read(struct xdp_md *ctx, struct dint_pkt *pkt, struct dint_txn_msg *msg,
				      __u8 status, struct dint_lock_entry *e)
{
	__u64 hash = dint_hash64(msg->key), now = bpf_ktime_get_ns() | 1;
	__u32 idx = hash % shard_cfg.buckets;
	__u8 locked = lock_foreign(e, msg->txn_id) ? DINT_TXN_F_LOCKED : 0;
	struct dint_kv_bucket *b;
	struct dint_kv_slot *s;
	int w, verdict;

	b = lock_bucket(pkt, msg, idx, now, &verdict);
	if (!b)
		return verdict;
	w = kv_find(b, msg->key);
	if (w >= 0) {
		s = &b->slot[KV_WAY(w)];
		msg->version = (__u32)s->obj.version;
		msg->flags = (s->obj.version & DINT_TXN_OBJ_EXISTS ? DINT_TXN_F_EXISTS : 0) | locked;
		__builtin_memcpy(msg->value, s->obj.value, DINT_TXN_VALUE_SIZE);
		kv_unlock(b);
		dint_count(DINT_STAT_TXN_READ_HIT);
	} else if (!(b->bloom & kv_bloom_bit(hash))) {
		msg->version = 0;
		msg->flags = locked;
		__builtin_memset(msg->value, 0, DINT_TXN_VALUE_SIZE);
		kv_unlock(b);
		dint_count(DINT_STAT_TXN_ABSENT);
	} else {
		msg->flags = locked; /* the slow path keeps this bit */
		return to_slow_path(ctx, pkt, b, idx, now);
	}
	msg->hdr.status = status;
	return dint_reply(pkt);
}

/*
 * Installs a commit, insert or delete: in the cache when the record is cached (if newer) or has
 * never been in the bucket (a free or clean slot), else through the slow path. With
 * DINT_TXN_F_UNLOCK the writer's exclusive lock is released too, once the install is done or on
 * its way; d is then the request's dedup entry.
 */
static __always_inline int serve_install(struct xdp_md *ctx, struct dint_pkt *pkt, struct dint_txn_msg *msg,
					 __u8 op, struct dint_lock_entry *e, struct dint_dedup_entry *d)
{
	__u64 hash = dint_hash64(msg->key), bit = kv_bloom_bit(hash), now = bpf_ktime_get_ns() | 1;
	__u32 idx = hash % shard_cfg.buckets;
	int unlock = msg->flags & DINT_TXN_F_UNLOCK, w, verdict;
	struct dint_hdr hdr = msg->hdr; /* msg is gone once the packet grows */
	__u64 txn = msg->txn_id;
	struct dint_kv_slot *s = 0;
	struct dint_kv_bucket *b;

	b = lock_bucket(pkt, msg, idx, now, &verdict);
	if (!b)
		return verdict;
	if (unlock && __sync_val_compare_and_swap(&e->spin, 0, 1) != 0) {
		kv_unlock(b);
		return retry(pkt, msg, DINT_STAT_RETRY);
	}
	w = kv_find(b, msg->key);
	if (w >= 0) {
		s = &b->slot[KV_WAY(w)];
		if ((__u32)s->obj.version >= msg->version)
			s = 0; /* not newer: a retransmission, nothing to write */
	} else if (!(b->bloom & bit)) {
		w = kv_free_or_clean(b);
		if (w >= 0)
			s = &b->slot[KV_WAY(w)];
	}
	/* The record exists up there once the slow path is done, even if its reply is lost. */
	b->bloom |= bit;
	if (w >= 0) {
		if (s) {
			s->obj.key = msg->key;
			s->obj.version = msg->version;
			if (op == DINT_OP_TXN_DELETE_BACKUP || op == DINT_OP_TXN_DELETE_PRIMARY) {
				__builtin_memset(s->obj.value, 0, DINT_TXN_VALUE_SIZE);
			} else {
				s->obj.version |= DINT_TXN_OBJ_EXISTS;
				__builtin_memcpy(s->obj.value, msg->value, DINT_TXN_VALUE_SIZE);
			}
			s->valid = 1;
			s->dirty = 1;
		}
		kv_unlock(b);
		dint_count(DINT_STAT_TXN_INSTALL_HIT);
		verdict = -1;
	} else {
		verdict = to_slow_path(ctx, pkt, b, idx, now);
	}
	if (unlock) {
		/* Done here or on its way up: the lock goes. A RETRY or a drop leaves it held. */
		int done = verdict < 0 || verdict == XDP_PASS;

		if (done)
			unlock_exclusive(e, txn);
		__sync_lock_test_and_set(&e->spin, 0);
		if (done)
			dint_dedup_store(d, &hdr, DINT_ST_OK);
	}
	if (verdict >= 0)
		return verdict;
	msg->hdr.status = DINT_ST_OK;
	return dint_reply(pkt);
}

SEC("xdp")
int shard_xdp(struct xdp_md *ctx)
{
	struct dint_dedup_entry *d = 0;
	struct dint_lock_entry *e;
	struct dint_txn_msg *msg;
	struct dint_pkt pkt;
	__u8 op, status;
	int verdict;

	verdict = dint_parse_request(ctx, &pkt, sizeof(*msg), DINT_OP_TXN_READ, DINT_OP_TXN_DELETE_PRIMARY);
	if (verdict != DINT_PARSED)
		return verdict;
	msg = pkt.payload;
	if ((void *)(msg + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP; /* unreachable: dint_parse checked the length */
	op = msg->hdr.op;
	if (!msg->key || !lock_txn_ok(msg->txn_id) || !shard_cfg.buckets) {
		dint_count(DINT_STAT_DROP_BAD_OP);
		return XDP_DROP;
	}
	if (op != DINT_OP_TXN_READ && op != DINT_OP_TXN_VALIDATE &&
	    !(is_install(op) && !(msg->flags & DINT_TXN_F_UNLOCK))) {
		d = dint_dedup_slot(&dedup, &msg->hdr);
		if (dint_dedup_hit(d, &msg->hdr)) {
			dint_count(DINT_STAT_DUPLICATE);
			if (d->status == DINT_ST_GRANT && is_lock(op)) {
				e = dint_table_entry(&lock_table, msg->key);
				return e ? serve_read(ctx, &pkt, msg, DINT_ST_GRANT, e) : XDP_DROP;
			}
			msg->hdr.status = d->status;
			return dint_reply(&pkt);
		}
	}
	if (is_log(op)) {
		status = log_append(&msg->hdr, msg->key, ((__u64)op << 32) | msg->version, msg->value,
				    shard_cfg.log_slots);
		if (status == DINT_ST_REQUEST) {
			dint_count(DINT_STAT_DROP_BAD_OP);
			return XDP_DROP;
		}
		if (status != DINT_ST_RETRY)
			dint_dedup_store(d, &msg->hdr, status);
		msg->hdr.status = status;
		return dint_reply(&pkt);
	}
	e = dint_table_entry(&lock_table, msg->key);
	if (!e)
		return XDP_DROP;
	if (op == DINT_OP_TXN_READ || op == DINT_OP_TXN_VALIDATE)
		return serve_read(ctx, &pkt, msg, DINT_ST_OK, e);
	if (is_install(op))
		return serve_install(ctx, &pkt, msg, op, e, d);

	if (__sync_val_compare_and_swap(&e->spin, 0, 1) != 0) {
		status = DINT_ST_RETRY;
	} else {
		status = lock_op(e, op, msg->txn_id);
		__sync_lock_test_and_set(&e->spin, 0);
		dint_dedup_store(d, &msg->hdr, status);
	}
	dint_count_lock_status(status);
	if (status == DINT_ST_GRANT)
		return serve_read(ctx, &pkt, msg, DINT_ST_GRANT, e);
	msg->hdr.status = status;
	return dint_reply(&pkt);
}

SEC("tc")
int shard_tc_egress(struct __sk_buff *skb)
{
	return kv_tc_reply(skb, &shard_cache, shard_cfg.buckets, sizeof(struct dint_txn_msg), DINT_OP_TXN_READ,
			   DINT_OP_TXN_DELETE_PRIMARY, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
