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
#include <linux/pkt_cls.h>
#include <stddef.h>

/* Set by the loader, like dint_cfg (whose table_size is the bucket count). */
const volatile struct dint_kv_config kv_cfg SEC(".rodata.kv") = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized by the loader before load */
	__type(key, __u32);
	__type(value, struct dint_kv_bucket);
} kv_cache SEC(".maps");

/* Points pkt at the headers of a frame dint_parse accepted before (no IP options). */
static __always_inline int repoint(struct xdp_md *ctx, struct dint_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	pkt->eth = data;
	pkt->ip = data + sizeof(struct ethhdr);
	pkt->udp = (void *)(pkt->ip + 1);
	pkt->payload = pkt->udp + 1;
	return pkt->payload + sizeof(struct dint_kv_msg) <= data_end;
}

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

	verdict = dint_parse(ctx, &pkt, sizeof(*msg));
	if (verdict != DINT_PARSED)
		return verdict;
	msg = pkt.payload;
	if ((void *)(msg + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP; /* unreachable: dint_parse checked the length */
	op = msg->hdr.op;
	if (pkt.payload_len != sizeof(*msg) || msg->hdr.status != DINT_ST_REQUEST ||
	    op < DINT_OP_KV_GET || op > DINT_OP_KV_DELETE) {
		dint_count(pkt.payload_len != sizeof(*msg) ? DINT_STAT_DROP_BAD_LENGTH
							   : DINT_STAT_DROP_BAD_OP);
		return XDP_DROP;
	}
	if (!dint_cfg.table_size)
		return XDP_DROP; /* unreachable: the loader always sets a size */

	hash = dint_hash64(msg->obj.key);
	idx = hash % dint_cfg.table_size;
	b = bpf_map_lookup_elem(&kv_cache, &idx);
	if (!b) {
		dint_count(DINT_STAT_DROP_BAD_OP);
		return XDP_DROP;
	}
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
			if (!repoint(ctx, &pkt))
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

/* The reply's payload after the Ethernet, IP and UDP headers (no options: ours never have any). */
static __always_inline struct dint_kv_msg *tc_msg(struct __sk_buff *skb, __u32 trailer)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct dint_kv_msg *msg = data + sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr);

	if ((void *)(msg + 1) + trailer > data_end)
		return 0;
	return msg;
}

SEC("tc")
int kv_tc_egress(struct __sk_buff *skb)
{
	const __u32 want = sizeof(struct udphdr) + sizeof(struct dint_kv_msg) + sizeof(struct dint_kv_slow);
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct dint_kv_bucket *b;
	struct dint_kv_slow *slow;
	struct dint_kv_msg *msg;
	struct udphdr *udp;
	struct iphdr *ip;
	__u64 hash, lease;
	__be16 old_tot, new_tot;
	__u32 idx;
	__u8 op;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return TC_ACT_OK;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end || udp->source != bpf_htons(DINT_PORT))
		return TC_ACT_OK;
	/* From our port: a slow-path reply, or counted and left alone. */
	if (bpf_ntohs(udp->len) != want || bpf_ntohs(ip->tot_len) != sizeof(*ip) + want ||
	    (ip->frag_off & bpf_htons(0x3fff)) || skb->len < sizeof(*eth) + sizeof(*ip) + want)
		goto bad;
	msg = tc_msg(skb, sizeof(*slow));
	if (!msg) {
		if (bpf_skb_pull_data(skb, sizeof(*eth) + sizeof(*ip) + want))
			goto bad;
		msg = tc_msg(skb, sizeof(*slow));
		if (!msg)
			goto bad;
	}
	slow = (void *)(msg + 1);
	op = msg->hdr.op;
	if (msg->hdr.status == DINT_ST_REQUEST || op < DINT_OP_KV_GET || op > DINT_OP_KV_DELETE ||
	    !dint_cfg.table_size)
		goto bad;
	hash = dint_hash64(msg->obj.key);
	idx = hash % dint_cfg.table_size;
	if (idx != slow->bucket)
		goto bad;
	b = bpf_map_lookup_elem(&kv_cache, &idx);
	if (!b)
		goto bad;

	/* Renew the lease while we write, then unlock; a lock that moved on means we were too late. */
	lease = slow->lease;
	if (__sync_val_compare_and_swap(&b->lock, lease, bpf_ktime_get_ns() | 1) != lease) {
		dint_count(DINT_STAT_KV_TC_STALE);
	} else {
		dint_count(kv_tc_apply(b, &msg->obj, slow, kv_bloom_bit(hash)) ? DINT_STAT_KV_TC_INSTALL
								   : DINT_STAT_KV_TC_RELEASE);
		kv_unlock(b);
	}

	/* Shrink back to a plain dint_kv_msg. The UDP checksum is 0: the slow path sends none. */
	ip = (void *)(long)skb->data + sizeof(*eth);
	if ((void *)(ip + 1) > (void *)(long)skb->data_end)
		goto bad;
	old_tot = ip->tot_len;
	new_tot = bpf_htons(sizeof(*ip) + sizeof(struct udphdr) + sizeof(*msg));
	if (bpf_skb_change_tail(skb, skb->len - sizeof(*slow), 0)) {
		dint_count(DINT_STAT_KV_TC_BAD);
		return TC_ACT_SHOT; /* the client resends; the bucket is already unlocked */
	}
	ip = (void *)(long)skb->data + sizeof(*eth);
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > (void *)(long)skb->data_end) {
		dint_count(DINT_STAT_KV_TC_BAD);
		return TC_ACT_SHOT; /* unreachable: the headers are still there */
	}
	ip->tot_len = new_tot;
	udp->len = bpf_htons(sizeof(struct udphdr) + sizeof(*msg));
	udp->check = 0;
	bpf_l3_csum_replace(skb, sizeof(*eth) + offsetof(struct iphdr, check), old_tot, new_tot, sizeof(__u16));
	return TC_ACT_OK;

bad:
	dint_count(DINT_STAT_KV_TC_BAD);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
