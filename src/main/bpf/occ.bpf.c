// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * OCC lock + version service (FaSST style), answered entirely in XDP.
 *
 * The table is an array of entries indexed by fasthash64(key) % size (1.5x the keys by default).
 * The lock rules are lock_rules.h's, as every lock table's: ACQUIRE is an exclusive grant (its
 * holder is granted again, counted: another key of its own on the entry), COMMIT releases one
 * grant and bumps the version, ABORT only releases, and both are refused (NOT_HELD) to anyone
 * but the holder. Grants are counted, so a retransmitted ACQUIRE, ABORT or COMMIT (same client
 * and seq) is answered from the dedup window, never applied twice. Every operation, READ
 * included, first takes the entry's spin word with a CAS so that version, lock and the reply are
 * one consistent snapshot; a CAS that fails is answered RETRY with nothing changed (the kernel
 * never spins). READ returns the lock bit with the version: FaSST's validation aborts on a
 * locked key.
 */
#include "dint_xdp.h"
#include "lock_rules.h"

DINT_TABLE(occ_table, struct dint_lock_entry);
DINT_DEDUP_MAP(dedup);

static __always_inline __u8 occ_apply(struct dint_lock_entry *e, __u8 op, __u64 txn)
{
	switch (op) {
	case DINT_OP_OCC_READ: return DINT_ST_OK;
	case DINT_OP_OCC_ACQUIRE: return lock_exclusive(e, txn, 0);
	case DINT_OP_OCC_ABORT: return unlock_exclusive(e, txn);
	default: return lock_commit(e, txn);
	}
}

static __always_inline void occ_count(__u8 op, __u8 status)
{
	switch (status) {
	case DINT_ST_GRANT: dint_count(DINT_STAT_OCC_GRANT); break;
	case DINT_ST_REJECT: dint_count(DINT_STAT_OCC_REJECT); break;
	case DINT_ST_RETRY: dint_count(DINT_STAT_OCC_RETRY); break;
	case DINT_ST_NOT_HELD: dint_count(DINT_STAT_OCC_NOT_HELD); break;
	default:
		dint_count(op == DINT_OP_OCC_READ ? DINT_STAT_OCC_READ
			   : op == DINT_OP_OCC_COMMIT ? DINT_STAT_OCC_COMMIT : DINT_STAT_OCC_ABORT);
	}
}

SEC("xdp")
int occ_xdp(struct xdp_md *ctx)
{
	struct dint_dedup_entry *d = 0;
	struct dint_lock_entry *e;
	struct dint_occ_msg *msg;
	struct dint_pkt pkt;
	int verdict, dup = 0;
	__u8 op, status;
	__u64 txn;

	msg = dint_request(ctx, &pkt, sizeof(*msg), DINT_OP_OCC_READ, DINT_OP_OCC_COMMIT, &verdict);
	if (!msg)
		return verdict;
	op = msg->hdr.op;
	txn = msg->txn_id;
	if (!lock_txn_ok(txn))
		return dint_drop(DINT_STAT_DROP_BAD_OP);

	if (op != DINT_OP_OCC_READ) {
		d = dint_dedup_slot(&dedup, &msg->hdr);
		dup = dint_dedup_hit(d, &msg->hdr);
	}

	e = dint_table_entry(&occ_table, msg->key);
	if (!e)
		return XDP_DROP;
	if (__sync_val_compare_and_swap(&e->spin, 0, 1) != 0) {
		status = DINT_ST_RETRY;
		msg->version = 0;
		msg->locked = 0;
		msg->mine = 0;
	} else {
		/* A retransmission gets its first answer with the entry as it is now: grants are counted. */
		status = dup ? d->status : occ_apply(e, op, txn);
		if (!dup)
			dint_dedup_store(d, &msg->hdr, status);
		msg->version = e->version;
		msg->locked = e->exclusive != 0;
		msg->mine = e->exclusive && !lock_foreign(e, txn);
		__sync_lock_test_and_set(&e->spin, 0);
	}
	if (dup && status != DINT_ST_RETRY)
		dint_count(DINT_STAT_DUPLICATE);
	else
		occ_count(op, status);
	msg->hdr.status = status;
	return dint_reply(&pkt);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
