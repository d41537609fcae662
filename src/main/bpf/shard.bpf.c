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
 *                               APPLIED: newer than the cached record, installed in the cache,
 *                               dirty; ALREADY_APPLIED: the record is this very write (same
 *                               version and content: a retransmission); REFUSED: the record is
 *                               newer, or the same version with other content (a conflict,
 *                               nothing written); the reply carries the record's version.
 *                               DINT_TXN_F_UNLOCK also releases the writer's exclusive lock
 *                               when the install is applied or already applied. An install of
 *                               version 0 is malformed: dropped.
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
 * again. Installs are ordered by their versions and need no window, except those that unlock:
 * once the lock is gone a newer write may follow, and the retransmission must hear what the
 * install was answered, not REFUSED. An unlocking install that goes up to the slow path keeps
 * its lock until the slow path's answer passes shard_tc_egress, which then unlocks and remembers
 * the answer as XDP does for one it answers itself: a request lost on its way up leaves the lock
 * held and the record unwritten, and its retransmission is served again (releasing the lock as
 * the request goes up would let the next writer in before the record is known to be written).
 * A busy lock entry or bucket is answered RETRY, and the request changes nothing it did not
 * also record in the window.
 *
 * Epochs, leases and pins (README, "Recovery"): every reply carries the shard's epoch
 * (struct dint_shard_state) in hdr.reserved. A lock whose lease ran out (no grant for longer than
 * lock_lease_ms; the lease rules are lock_rules.h's) may be taken over by a conflicting request —
 * it is emptied and granted anew, and the epoch advances — unless its holder has logged here (map
 * pinned: a transaction that logged may be committed, and its writes are not installed yet), or
 * it is shared by several transactions (its count cannot say whose grants are left). A LOG carrying the epoch of its sender's grants here is refused
 * STALE when the shard has left that epoch: the sender's locks may be gone, it must not commit.
 * A recovering shard answers reads and locks RETRY until grace_until_ns.
 */
#include "kv_cache.h"
#include "log_ring.h"
#include "lock_rules.h"

/* Set by the loader, like dint_cfg (whose table.lock_entries sizes the lock table). */
const volatile struct dint_shard_config shard_cfg SEC(".rodata.shard") = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized by the loader before load: shard_cfg.buckets */
	__type(key, __u32);
	__type(value, struct dint_kv_bucket);
} shard_cache SEC(".maps");

DINT_TABLE(lock_table, struct dint_lock_entry);
DINT_DEDUP_MAP(dedup);

/* The epoch and the recovery grace period; one entry, set by the loader, the epoch advanced here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dint_shard_state);
} shard_state SEC(".maps");

/* Transactions that logged here: no lease takes their locks over (one may be committed). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DINT_SHARD_PINNED);
	__type(key, __u64);
	__type(value, __u8);
} pinned SEC(".maps");

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

static __always_inline int is_delete(__u8 op)
{
	return op == DINT_OP_TXN_DELETE_BACKUP || op == DINT_OP_TXN_DELETE_PRIMARY;
}

/*
 * How install msg relates to the cached object obj: APPLIED when it is newer, ALREADY_APPLIED
 * when obj is this very write (same version, existence and value), else REFUSED.
 */
static __always_inline __u8 install_order(const struct dint_kv_object *obj, const struct dint_txn_msg *msg, __u8 op)
{
	__u32 cached = (__u32)obj->version;
	int exists = !is_delete(op);
	__u64 a, b;

	if (msg->version != cached)
		return msg->version > cached ? DINT_ST_APPLIED : DINT_ST_REFUSED;
	if (!(obj->version & DINT_TXN_OBJ_EXISTS) != !exists)
		return DINT_ST_REFUSED;
	if (exists) {
#pragma unroll
		for (int i = 0; i < DINT_TXN_VALUE_SIZE / 8; i++) {
			__builtin_memcpy(&a, obj->value + 8 * i, 8);
			__builtin_memcpy(&b, msg->value + 8 * i, 8);
			if (a != b)
				return DINT_ST_REFUSED;
		}
	}
	return DINT_ST_ALREADY_APPLIED;
}

/* What an unlocking install leaves behind (spin of e held): the lock released when it is applied, and its answer in d. */
static __always_inline void unlock_with_install(struct dint_lock_entry *e, struct dint_dedup_entry *d,
						const struct dint_hdr *hdr, __u64 txn, __u8 status)
{
	if (status == DINT_ST_APPLIED || status == DINT_ST_ALREADY_APPLIED)
		unlock_exclusive(e, txn);
	dint_dedup_store(d, hdr, status);
}

/*
 * Takes lock e (spin held) over when its lease ran out (lock_rules.h) unless its holder logged
 * here (pinned: it may be committed, and its writes are not installed yet); the epoch advances,
 * so that the old holder's LOG is refused STALE. Returns 1 when taken over.
 */
static __always_inline int take_over(struct dint_lock_entry *e, __u64 now, struct dint_shard_state *st)
{
	__u64 holder = lock_lapsed(e, now, shard_cfg.lock_lease_ms * 1000000ULL);
	__u32 epoch;

	if (!holder || bpf_map_lookup_elem(&pinned, &holder))
		return 0;
	lock_take_over(e);
	epoch = __sync_fetch_and_add(&st->epoch, 1) + 1;
	if (!(epoch & 0xffff))
		__sync_fetch_and_add(&st->epoch, 1); /* the epoch is never 0: a LOG's 0 means "no locks here" */
	dint_count(DINT_STAT_TXN_LOCK_TAKEOVER);
	return 1;
}

/*
 * A lock or release on e, whose spin the caller holds: the rules of lock_rules.h, a grant at now
 * starting a lease, and a conflict with a lock whose lease ran out taken over and asked again.
 */
static __always_inline __u8 lock_op(struct dint_lock_entry *e, __u8 op, __u64 txn, __u64 now,
				    struct dint_shard_state *st)
{
	__u8 status;

	switch (op) {
	case DINT_OP_TXN_LOCK_SHARED:
		status = lock_shared(e, txn, now);
		if (status == DINT_ST_REJECT && take_over(e, now, st))
			status = lock_shared(e, txn, now);
		return status;
	case DINT_OP_TXN_LOCK_EXCLUSIVE:
	case DINT_OP_TXN_OCC_LOCK:
		status = lock_exclusive(e, txn, now);
		if (status == DINT_ST_REJECT && take_over(e, now, st))
			status = lock_exclusive(e, txn, now);
		return status;
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
 * Installs a commit, insert or delete in the cache when the record is cached or has never been
 * in the bucket (a free or clean slot), answered as install_order says; else through the slow
 * path. With DINT_TXN_F_UNLOCK, an install answered here releases the writer's exclusive lock
 * and is remembered in d, under the lock entry's spin; one that goes up keeps both for
 * shard_tc_egress.
 */
static __always_inline int serve_install(struct xdp_md *ctx, struct dint_pkt *pkt, struct dint_txn_msg *msg,
					 __u8 op, struct dint_lock_entry *e, struct dint_dedup_entry *d)
{
	__u64 hash = dint_hash64(msg->key), bit = kv_bloom_bit(hash), now = bpf_ktime_get_ns() | 1;
	__u32 idx = hash % shard_cfg.buckets;
	int unlock = msg->flags & DINT_TXN_F_UNLOCK, w, verdict;
	__u8 status = DINT_ST_APPLIED;
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
		status = install_order(&s->obj, msg, op);
		if (status != DINT_ST_APPLIED) {
			msg->version = (__u32)s->obj.version;
			s = 0; /* nothing to write */
		}
	} else if (!(b->bloom & bit)) {
		w = kv_free_or_clean(b);
		if (w >= 0)
			s = &b->slot[KV_WAY(w)];
	}
	/* The record exists up there once the slow path is done, even if its reply is lost. */
	b->bloom |= bit;
	if (w < 0) {
		if (unlock)
			__sync_lock_test_and_set(&e->spin, 0);
		return to_slow_path(ctx, pkt, b, idx, now);
	}
	if (s) {
		s->obj.key = msg->key;
		s->obj.version = msg->version;
		if (is_delete(op)) {
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
	if (unlock) {
		unlock_with_install(e, d, &msg->hdr, msg->txn_id, status);
		__sync_lock_test_and_set(&e->spin, 0);
	}
	msg->hdr.status = status;
	return dint_reply(pkt);
}

SEC("xdp")
int shard_xdp(struct xdp_md *ctx)
{
	struct dint_dedup_entry *d = 0;
	struct dint_shard_state *st;
	struct dint_lock_entry *e;
	struct dint_txn_msg *msg;
	struct dint_pkt pkt;
	__u16 expect, epoch;
	__u32 zero = 0;
	__u8 op, status, one = 1;
	__u64 now;
	int verdict;

	msg = dint_request(ctx, &pkt, sizeof(*msg), DINT_OP_TXN_READ, DINT_OP_TXN_DELETE_PRIMARY, &verdict);
	if (!msg)
		return verdict;
	op = msg->hdr.op;
	st = bpf_map_lookup_elem(&shard_state, &zero);
	if (!msg->key || !lock_txn_ok(msg->txn_id) || !shard_cfg.buckets || (is_install(op) && !msg->version) || !st)
		return dint_drop(DINT_STAT_DROP_BAD_OP);
	/* Every reply, the slow path's included (it answers in the request's header), carries the epoch. */
	expect = msg->hdr.reserved;
	epoch = (__u16)st->epoch;
	msg->hdr.reserved = epoch;
	now = bpf_ktime_get_ns();
	if (now < st->grace_until_ns && (op == DINT_OP_TXN_READ || op == DINT_OP_TXN_VALIDATE || is_lock(op)))
		return retry(&pkt, msg, DINT_STAT_TXN_GRACE);
	if (op != DINT_OP_TXN_READ && op != DINT_OP_TXN_VALIDATE &&
	    !(is_install(op) && !(msg->flags & DINT_TXN_F_UNLOCK))) {
		d = dint_dedup_slot(&dedup, &msg->hdr);
		if (dint_dedup_hit(d, &msg->hdr)) {
			dint_count(DINT_STAT_DUPLICATE);
			if (d->status == DINT_ST_GRANT && is_lock(op)) {
				e = dint_table_entry(&lock_table, msg->key);
				if (!e)
					return XDP_DROP;
				/* Granted once, and taken over since (its lease ran out): no longer a grant. */
				if (op == DINT_OP_TXN_LOCK_SHARED ? !lock_holds_shared(e, msg->txn_id)
								  : !lock_holds_exclusive(e, msg->txn_id)) {
					msg->hdr.status = DINT_ST_REJECT;
					return dint_reply(&pkt);
				}
				return serve_read(ctx, &pkt, msg, DINT_ST_GRANT, e);
			}
			msg->hdr.status = d->status;
			return dint_reply(&pkt);
		}
	}
	if (is_log(op)) {
		if (expect && expect != epoch) {
			status = DINT_ST_STALE;
			dint_count(DINT_STAT_TXN_STALE);
		} else {
			status = log_append(&msg->hdr, msg->key, ((__u64)op << 32) | msg->version, msg->value,
					    shard_cfg.log_slots);
			if (status == DINT_ST_REQUEST)
				return dint_drop(DINT_STAT_DROP_BAD_OP);
			/* Before the ACK: from now on this transaction may be committed. */
			if (status == DINT_ST_OK)
				bpf_map_update_elem(&pinned, &msg->txn_id, &one, BPF_ANY);
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
		status = lock_op(e, op, msg->txn_id, now, st);
		__sync_lock_test_and_set(&e->spin, 0);
		msg->hdr.reserved = (__u16)st->epoch; /* a grant that took a lock over is of the new epoch */
		dint_dedup_store(d, &msg->hdr, status);
	}
	dint_count_lock_status(status);
	if (status == DINT_ST_GRANT)
		return serve_read(ctx, &pkt, msg, DINT_ST_GRANT, e);
	msg->hdr.status = status;
	return dint_reply(&pkt);
}

/*
 * A slow-path reply leaving: the cache's work (kv_tc_reply), then, for an install that unlocks,
 * what XDP does for one it answers itself — the writer's lock released unless the install was
 * refused, and the answer remembered, under the lock entry's spin. A busy spin drops the reply
 * (the client resends; the retransmission finds the record already applied and unlocks then).
 */
SEC("tc")
int shard_tc_egress(struct __sk_buff *skb)
{
	struct dint_txn_msg head = {};
	struct dint_dedup_entry *d;
	struct dint_lock_entry *e;
	int verdict;

	verdict = kv_tc_reply(skb, &shard_cache, shard_cfg.buckets, sizeof(struct dint_txn_msg), DINT_OP_TXN_READ,
			      DINT_OP_TXN_DELETE_PRIMARY, 1, &head, offsetof(struct dint_txn_msg, value));
	if (verdict != TC_ACT_OK || head.hdr.status == DINT_ST_REQUEST || head.hdr.status == DINT_ST_RETRY ||
	    !is_install(head.hdr.op) || !(head.flags & DINT_TXN_F_UNLOCK))
		return verdict;
	e = dint_table_entry(&lock_table, head.key);
	if (!e || __sync_val_compare_and_swap(&e->spin, 0, 1) != 0) {
		dint_count(DINT_STAT_TXN_TC_BUSY);
		return TC_ACT_SHOT;
	}
	d = dint_dedup_slot(&dedup, &head.hdr);
	unlock_with_install(e, d, &head.hdr, head.txn_id, head.hdr.status);
	__sync_lock_test_and_set(&e->spin, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
