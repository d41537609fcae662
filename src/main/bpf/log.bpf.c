// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Commit-log service: LOG_APPEND is answered in XDP by appending {key, version, value} and the
 * request id to a ring of the CPU that runs the program (log_ring.h), then ACKing (OK).
 *
 * Each ring has dint_cfg.table.ring_slots slots. Both ring maps are pinned by the loader, so a restarted
 * server drains what a crashed one ACKed.
 */
#include "log_ring.h"

SEC("xdp")
int log_xdp(struct xdp_md *ctx)
{
	struct dint_log_msg *msg;
	struct dint_pkt pkt;
	__u8 status;
	int verdict;

	msg = dint_request(ctx, &pkt, sizeof(*msg), DINT_OP_LOG_APPEND, DINT_OP_LOG_APPEND, &verdict);
	if (!msg)
		return verdict;
	status = log_append(&msg->hdr, msg->key, msg->version, msg->value, dint_cfg.table.ring_slots);
	if (status == DINT_ST_REQUEST)
		return dint_drop(DINT_STAT_DROP_BAD_OP);
	msg->hdr.status = status;
	return dint_reply(&pkt);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
