// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * KV store with an in-kernel write-back cache.
 *
 * kv_xdp (ingress) answers what the cache can: GET hits, SET hits (write-back: in place,
 * version+1, dirty), INSERTs into a free or clean slot of a bucket whose Bloom word says the key
 * is new, and NOT_EXIST when the Bloom bit is clear. Anything else locks the bucket, picks the
 * slot the object will go into (the key's own, else the first invalid, else the first clean,
 * else a random one), grows the packet by a struct dint_kv_slow that names the slot and carries
 * a dirty victim for write-back, and passes it to the slow path: a Java process on a UDP socket
 * of the same port, which holds every key in a table with the same bucket count. A clean cached
 * copy of a key whose write goes up (write-through SET, DELETE) is dropped first, so a reply
 * that never comes leaves no stale copy behind. The cache itself is kv_cache.h.
 *
 * kv_tc_egress sees the slow path's reply leave: it installs the object in the chosen slot (or
 * drops a deleted key and rebuilds the Bloom word from every remaining key), clears the victim's
 * dirty bit, unlocks the bucket and shrinks the reply back to a plain dint_kv_msg.
 *
 * A bucket lock is the time it was taken (bpf_ktime_get_ns). A lock older than the lease is taken
 * over, so a slow-path request or reply that is lost does not lock its bucket for ever (the
 * original did); TC acts only while the lock still holds the request's lease, so a late reply
 * cannot overwrite what the taker did since.
 */
#include "kv_cache.h"

/* Set by the loader, like dint_cfg (whose table.buckets is the cache's size). */
const volatile struct dint_kv_config kv_cfg SEC(".rodata.kv") = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized by the loader before load */
	__type(key, __u32);
	__type(value, struct dint_kv_bucket);
} kv_cache SEC(".maps");

SEC("xdp")
int kv_xdp(struct xdp_md *ctx)
{
	struct dint_kv_bucket *b;
	struct dint_kv_msg *msg;
	struct dint_pkt pkt;
	__u64 hash, now;
	__u32 idx;
	int verdict, way = -1;
	__u8 op, status;

	msg = dint_request(ctx, &pkt, sizeof(*msg), DINT_OP_KV_GET, DINT_OP_KV_DELETE, &verdict);
	if (!msg)
		return verdict;
	op = msg->hdr.op;
	if (!dint_cfg.table.buckets)
		return XDP_DROP; /* unreachable: the loader always sets a size */

	hash = dint_hash64(msg->obj.key);
	idx = hash % dint_cfg.table.buckets;
	b = bpf_map_lookup_elem(&kv_cache, &idx);
	if (!b)
		return dint_drop(DINT_STAT_DROP_BAD_OP);
	now = bpf_ktime_get_ns() | 1;
	if (!kv_lock(b, now, kv_cfg.lease_ns)) {
		status = DINT_ST_RETRY;
		dint_count(DINT_STAT_KV_RETRY);
	} else {
		status = kv_cache_op(b, op, &msg->obj, kv_bloom_bit(hash), kv_cfg.policy, &way);
		if (status == KV_CACHE_SLOW) {
			verdict = kv_to_slow_path(ctx, b, idx, way, now, sizeof(*msg));
			if (verdict >= 0)
				return verdict;
			/* No room to grow at either end: the client resends, counted. */
			if (!kv_repoint(ctx, &pkt, sizeof(*msg)))
				return XDP_DROP;
			msg = pkt.payload;
			status = DINT_ST_RETRY;
			dint_count(DINT_STAT_KV_RETRY);
		} else {
			kv_unlock(b);
		}
	}
	msg->hdr.status = status;
	return dint_reply(&pkt);
}

SEC("tc")
int kv_tc_egress(struct __sk_buff *skb)
{
	return kv_tc_reply(skb, &kv_cache, dint_cfg.table.buckets, sizeof(struct dint_kv_msg), DINT_OP_KV_GET,
			   DINT_OP_KV_DELETE, 0, 0, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
