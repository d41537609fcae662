/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The per-CPU commit-log rings, for every program that appends to a log (log.bpf.c; the
 * transaction shards' COMMIT/INSERT/DELETE_LOG).
 *
 * log_ring holds one ring of `slots` records (a power of two) per possible CPU, CPU c's ring at
 * [c * slots, (c + 1) * slots); log_cursor holds each ring's head (written here only: XDP on one
 * CPU never runs twice at once) and tail (written only by the user-space drainer, once the
 * records are in the log file). Both maps are BPF_F_MMAPABLE, so the drainer reads records and
 * moves tails without a syscall. A full ring is answered RETRY: a record is never overwritten
 * before it is drained (the original never drained its ring at all).
 */
#ifndef DINT_LOG_RING_H
#define DINT_LOG_RING_H

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

/*
 * Appends {key, version, value} and the request id of h to this CPU's ring of `slots` records.
 * Returns DINT_ST_OK, DINT_ST_RETRY (ring full), or DINT_ST_REQUEST when the maps are not there
 * (unreachable once loaded: the caller counts and drops).
 */
static __always_inline __u8 log_append(const struct dint_hdr *h, __u64 key, __u64 version, const __u8 *value,
				       __u32 slots)
{
	__u32 cpu = bpf_get_smp_processor_id(), idx;
	struct dint_log_cursor *cur;
	struct dint_log_entry *rec;
	__u64 head;

	cur = bpf_map_lookup_elem(&log_cursor, &cpu);
	if (!cur || !slots)
		return DINT_ST_REQUEST;
	head = cur->head;
	if (head - *(volatile __u64 *)&cur->tail >= slots) {
		dint_count(DINT_STAT_LOG_FULL);
		return DINT_ST_RETRY;
	}
	idx = cpu * slots + (__u32)(head & (slots - 1));
	rec = bpf_map_lookup_elem(&log_ring, &idx);
	if (!rec)
		return DINT_ST_REQUEST;
	rec->key = key;
	rec->version = version;
	__builtin_memcpy(rec->value, value, DINT_LOG_VALUE_SIZE);
	rec->seq = h->seq;
	rec->client_id = h->client_id;
	rec->pad = 0;
	/* Publishes the record: an atomic add (lock add, a full barrier on x86) follows its stores. */
	__sync_fetch_and_add(&cur->head, 1);
	dint_count(DINT_STAT_LOG_APPEND);
	return DINT_ST_OK;
}

#endif /* DINT_LOG_RING_H */
