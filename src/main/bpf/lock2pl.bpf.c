// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * 2PL no-wait lock service, answered entirely in XDP.
 *
 * The lock table is an array of entries indexed by fasthash64(lock_id) % size; its size is set by
 * the loader (1.5x the lock ids by default). An entry's spin word is taken with a CAS; a CAS that
 * fails is answered RETRY and the client resends (the kernel never spins). Counts are changed only
 * while the spin word is held, and nothing is changed before it is (the original bumped the count
 * first and leaked exclusive locks on RETRY). The rules themselves are lock_rules.h's.
 */
#include "dint_xdp.h"
#include "lock_rules.h"

DINT_TABLE(lock_table, struct dint_lock_entry);
DINT_DEDUP_MAP(dedup);

/* One lock or release on e, whose spin word the caller holds: the rules of lock_rules.h. */
static __always_inline __u8 lock_apply(struct dint_lock_entry *e, __u8 op, __u64 txn)
{
	switch (op) {
	case DINT_OP_LOCK_ACQUIRE_SHARED: return lock_shared(e, txn, 0);
	case DINT_OP_LOCK_ACQUIRE_EXCLUSIVE: return lock_exclusive(e, txn, 0);
	case DINT_OP_LOCK_RELEASE_SHARED: return unlock_shared(e, txn);
	default: return unlock_exclusive(e, txn);
	}
}

SEC("xdp")
int lock2pl_xdp(struct xdp_md *ctx)
{
	struct dint_lock_msg *msg;
	struct dint_dedup_entry *d;
	struct dint_lock_entry *e;
	struct dint_pkt pkt;
	__u8 op, status;
	int verdict;

	msg = dint_request(ctx, &pkt, sizeof(*msg), DINT_OP_LOCK_ACQUIRE_SHARED, DINT_OP_LOCK_RELEASE_EXCLUSIVE, &verdict);
	if (!msg)
		return verdict;
	op = msg->hdr.op;
	if (!lock_txn_ok(msg->txn_id))
		return dint_drop(DINT_STAT_DROP_BAD_OP);

	d = dint_dedup_slot(&dedup, &msg->hdr);
	if (dint_dedup_hit(d, &msg->hdr)) {
		/* a retransmission: counts change once per request, or locks leak */
		dint_count(DINT_STAT_DUPLICATE);
		msg->hdr.status = d->status;
		return dint_reply(&pkt);
	}
	e = dint_table_entry(&lock_table, msg->lock_id);
	if (!e)
		return XDP_DROP;
	if (__sync_val_compare_and_swap(&e->spin, 0, 1) != 0) {
		status = DINT_ST_RETRY;
	} else {
		status = lock_apply(e, op, msg->txn_id);
		__sync_lock_test_and_set(&e->spin, 0);
		dint_dedup_store(d, &msg->hdr, status);
	}

	dint_count_lock_status(status);
	msg->hdr.status = status;
	return dint_reply(&pkt);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
