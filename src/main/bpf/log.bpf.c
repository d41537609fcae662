// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Commit-log service: LOG_APPEND is answered in XDP by appending {key, version, value} and the
 * request id to a ring of the CPU that runs the program, then ACKing (OK).
 *
 * Rings: log_ring holds one ring of dint_cfg.table_size slots (a power of two) per possible CPU,
 * CPU c's ring at [c * slots, (c + 1) * slots); log_cursor holds each ring's head (written here
 * only: XDP on one CPU never runs twice at once) and tail (written only by the user-space
 * drainer, once the records are in the log file). Both maps are BPF_F_MMAPABLE, so the drainer
 * reads records and moves tails without a syscall, and both are pinned by the loader, so a
 * restarted server drains what a crashed one ACKed. A full ring is answered RETRY: a record is
 * never overwritten before it is drained (the original never drained its ring at all).
 */
#include "dint_xdp.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* resized by the loader: possible CPUs x slots */
	__type(key, __u32);
	__type(value, struct dint_log_entry);
} log_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* resized by the loader: possible CPUs */
	__type(key, __u32);
	__type(value, struct dint_log_cursor);
} log_cursor SEC(".maps");

/* Appends msg to this CPU's ring; returns the reply status. */
static __always_inline __u8 log_append(struct dint_log_msg *msg)
{
	__u32 slots = dint_cfg.table_size, cpu = bpf_get_smp_processor_id(), idx;
	struct dint_log_cursor *cur;
	struct dint_log_entry *rec;
	__u64 head;

	cur = bpf_map_lookup_elem(&log_cursor, &cpu);
	if (!cur || !slots)
		return DINT_ST_REQUEST; /* unreachable once loaded: counted and dropped by the caller */
	head = cur->head;
	if (head - *(volatile __u64 *)&cur->tail >= slots) {
		dint_count(DINT_STAT_LOG_FULL);
		return DINT_ST_RETRY;
	}
	idx = cpu * slots + (__u32)(head & (slots - 1));
	rec = bpf_map_lookup_elem(&log_ring, &idx);
	if (!rec)
		return DINT_ST_REQUEST;
	rec->key = msg->key;
	rec->version = msg->version;
	__builtin_memcpy(rec->value, msg->value, DINT_LOG_VALUE_SIZE);
	rec->seq = msg->hdr.seq;
	rec->client_id = msg->hdr.client_id;
	rec->pad = 0;
	/* Publishes the record: an atomic add (lock add, a full barrier on x86) follows its stores. */
	__sync_fetch_and_add(&cur->head, 1);
	dint_count(DINT_STAT_LOG_APPEND);
	return DINT_ST_OK;
}

SEC("xdp")
int log_xdp(struct xdp_md *ctx)
{
	struct dint_log_msg *msg;
	struct dint_pkt pkt;
	__u8 status;
	int verdict;

	verdict = dint_parse_exact(ctx, &pkt, sizeof(*msg));
	if (verdict != DINT_PARSED)
		return verdict;
	msg = pkt.payload;
	if ((void *)(msg + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP; /* unreachable: dint_parse checked the length */
	if (msg->hdr.status != DINT_ST_REQUEST || msg->hdr.op != DINT_OP_LOG_APPEND) {
		dint_count(DINT_STAT_DROP_BAD_OP);
		return XDP_DROP;
	}
	status = log_append(msg);
	if (status == DINT_ST_REQUEST) {
		dint_count(DINT_STAT_DROP_BAD_OP);
		return XDP_DROP;
	}
	msg->hdr.status = status;
	return dint_reply(&pkt);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
