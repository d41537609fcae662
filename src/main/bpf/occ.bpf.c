// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * OCC lock + version service (FaSST style), answered entirely in XDP.
 *
 * The table is an array of entries indexed by fasthash64(key) % size (1.5x the keys by default).
 * An entry is locked while it names an owner; COMMIT bumps its version and unlocks, ABORT only
 * unlocks, and both are refused (NOT_HELD) to anyone but the owner. Every operation, READ included,
 * first takes the entry's spin word with a CAS so that version, owner and the reply are one
 * consistent snapshot; a CAS that fails is answered RETRY with nothing changed (the kernel never
 * spins). READ returns the lock bit with the version: FaSST's validation aborts on a locked key.
 */
#include "dint_xdp.h"

DINT_TABLE(occ_table, struct dint_occ_entry);

static __always_inline __u8 occ_apply(struct dint_occ_entry *e, __u8 op, __u64 txn)
{
	switch (op) {
	case DINT_OP_OCC_READ:
		return DINT_ST_OK;
	case DINT_OP_OCC_ACQUIRE:
		/* The owner is granted again: a retransmission, or another key on its entry. */
		if (e->owner && e->owner != txn)
			return DINT_ST_REJECT;
		e->owner = txn;
		return DINT_ST_GRANT;
	default: /* ABORT, COMMIT */
		if (e->owner != txn)
			return DINT_ST_NOT_HELD;
		if (op == DINT_OP_OCC_COMMIT)
			e->version++;
		e->owner = 0;
		return DINT_ST_OK;
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
	struct dint_occ_entry *e;
	struct dint_occ_msg *msg;
	struct dint_pkt pkt;
	__u64 txn;
	__u8 op, status;
	int verdict;

	verdict = dint_parse_request(ctx, &pkt, sizeof(*msg), DINT_OP_OCC_READ, DINT_OP_OCC_COMMIT);
	if (verdict != DINT_PARSED)
		return verdict;
	msg = pkt.payload;
	if ((void *)(msg + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP; /* unreachable: dint_parse checked the length */
	op = msg->hdr.op;
	txn = msg->txn_id;
	/* txn 0 means "no owner": no request may name it. */
	if (!txn) {
		dint_count(DINT_STAT_DROP_BAD_OP);
		return XDP_DROP;
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
		status = occ_apply(e, op, txn);
		msg->version = e->version;
		msg->locked = e->owner != 0;
		msg->mine = e->owner == txn;
		__sync_lock_test_and_set(&e->spin, 0);
	}
	occ_count(op, status);
	msg->hdr.status = status;
	return dint_reply(&pkt);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
