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
 * of the same port, which holds every key in a table with the same bucket count.
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
#include "dint_xdp.h"
#include "dint_hash.h"
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

#define WAY(w) ((w) & (DINT_KV_WAYS - 1))

static __always_inline __u64 bloom_bit(__u64 hash)
{
	return 1ULL << (hash >> 58);
}

/* Takes the bucket lock with a CAS, or takes over a lock older than the lease. */
static __always_inline int lock_bucket(struct dint_kv_bucket *b, __u64 now)
{
	__u64 held = __sync_val_compare_and_swap(&b->lock, 0, now);

	if (!held)
		return 1;
	if ((__s64)(now - held) < (__s64)kv_cfg.lease_ns)
		return 0;
	if (__sync_val_compare_and_swap(&b->lock, held, now) != held)
		return 0;
	dint_count(DINT_STAT_KV_LEASE_TAKEOVER);
	return 1;
}

static __always_inline void unlock_bucket(struct dint_kv_bucket *b)
{
	__sync_lock_test_and_set(&b->lock, 0);
}

static __always_inline int find_key(struct dint_kv_bucket *b, __u64 key)
{
#pragma unroll
	for (int i = 0; i < DINT_KV_WAYS; i++)
		if (b->slot[i].valid && b->slot[i].obj.key == key)
			return i;
	return -1;
}

/* The first invalid slot, else the first clean one; -1 when all four are dirty. */
static __always_inline int free_or_clean(struct dint_kv_bucket *b)
{
#pragma unroll
	for (int i = 0; i < DINT_KV_WAYS; i++)
		if (!b->slot[i].valid)
			return i;
#pragma unroll
	for (int i = 0; i < DINT_KV_WAYS; i++)
		if (!b->slot[i].dirty)
			return i;
	return -1;
}

static __always_inline void ip_checksum(struct iphdr *ip)
{
	__u16 *p = (__u16 *)ip;
	__u32 sum = 0;

	ip->check = 0;
#pragma unroll
	for (int i = 0; i < (int)sizeof(*ip) / 2; i++)
		sum += p[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = (__u16)~sum;
}

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

/*
 * Hands the request to the slow path with the bucket locked under lease: way is the key's slot
 * (or DINT_KV_NO_WAY for a DELETE of an uncached key), or -1 to pick a victim.
 */
static __always_inline int to_slow_path(struct xdp_md *ctx, struct dint_kv_bucket *b, __u32 idx,
					int way, __u64 lease)
{
	struct dint_kv_slot *victim = 0;
	struct dint_kv_slow *slow;
	struct dint_kv_msg *msg;
	struct udphdr *udp;
	struct iphdr *ip;
	void *data, *data_end;

	if (way < 0) {
		way = free_or_clean(b);
		if (way < 0)
			way = bpf_get_prandom_u32() % DINT_KV_WAYS;
	}
	if (way != DINT_KV_NO_WAY) {
		victim = &b->slot[WAY(way)];
		if (!(victim->valid && victim->dirty))
			victim = 0;
	}
	if (bpf_xdp_adjust_tail(ctx, sizeof(*slow))) {
		/* No tailroom (a driver without XDP frags room): the client resends, counted. */
		unlock_bucket(b);
		return -1;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip = data + sizeof(struct ethhdr);
	udp = (void *)(ip + 1);
	msg = (void *)(udp + 1);
	slow = (void *)(msg + 1);
	if ((void *)(slow + 1) > data_end) {
		unlock_bucket(b);
		return -1; /* unreachable: the packet just grew by that much */
	}
	slow->lease = lease;
	slow->bucket = idx;
	slow->way = way;
	slow->flags = victim ? DINT_KV_VICTIM : 0;
	slow->pad = 0;
	slow->bloom = 0;
	if (victim)
		__builtin_memcpy(&slow->victim, &victim->obj, sizeof(slow->victim));
	else
		__builtin_memset(&slow->victim, 0, sizeof(slow->victim));
	ip->tot_len = bpf_htons(bpf_ntohs(ip->tot_len) + sizeof(*slow));
	ip_checksum(ip);
	udp->len = bpf_htons(bpf_ntohs(udp->len) + sizeof(*slow));
	udp->check = 0;
	dint_count(DINT_STAT_KV_SLOW);
	if (victim)
		dint_count(DINT_STAT_KV_WRITEBACK);
	return XDP_PASS;
}

SEC("xdp")
int kv_xdp(struct xdp_md *ctx)
{
	struct dint_kv_bucket *b;
	struct dint_kv_slot *s;
	struct dint_kv_msg *msg;
	struct dint_pkt pkt;
	__u64 hash, bit, now;
	__u32 idx, policy = kv_cfg.policy;
	int verdict, way, absent;
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
	bit = bloom_bit(hash);
	b = bpf_map_lookup_elem(&kv_cache, &idx);
	if (!b) {
		dint_count(DINT_STAT_DROP_BAD_OP);
		return XDP_DROP;
	}
	now = bpf_ktime_get_ns() | 1;
	if (!lock_bucket(b, now)) {
		status = DINT_ST_RETRY;
		dint_count(DINT_STAT_KV_RETRY);
		goto reply;
	}
	way = find_key(b, msg->obj.key);
	absent = way < 0 && policy == DINT_KV_WRITE_BACK_BLOOM && !(b->bloom & bit);

	if (absent && op != DINT_OP_KV_INSERT) {
		status = DINT_ST_KV_NOT_EXIST;
		dint_count(DINT_STAT_KV_NOT_EXIST);
	} else if (op == DINT_OP_KV_GET && way >= 0) {
		s = &b->slot[WAY(way)];
		msg->obj.version = s->obj.version;
		__builtin_memcpy(msg->obj.value, s->obj.value, DINT_KV_VALUE_SIZE);
		status = DINT_ST_KV_OK;
		dint_count(DINT_STAT_KV_GET_HIT);
	} else if (op == DINT_OP_KV_SET && way >= 0 && policy != DINT_KV_WRITE_THROUGH) {
		s = &b->slot[WAY(way)];
		__builtin_memcpy(s->obj.value, msg->obj.value, DINT_KV_VALUE_SIZE);
		s->obj.version++;
		s->dirty = 1;
		msg->obj.version = s->obj.version;
		status = DINT_ST_KV_OK;
		dint_count(DINT_STAT_KV_SET_HIT);
	} else if (op == DINT_OP_KV_INSERT && way >= 0) {
		status = DINT_ST_KV_EXISTS;
		dint_count(DINT_STAT_KV_INSERT_HIT);
	} else if (op == DINT_OP_KV_INSERT && absent && (way = free_or_clean(b)) >= 0) {
		s = &b->slot[WAY(way)];
		msg->obj.version = 1;
		__builtin_memcpy(&s->obj, &msg->obj, sizeof(s->obj));
		s->valid = 1;
		s->dirty = 1;
		b->bloom |= bit;
		status = DINT_ST_KV_OK;
		dint_count(DINT_STAT_KV_INSERT_HIT);
	} else {
		if (op == DINT_OP_KV_INSERT) {
			/* The key may exist once the slow path is done, even if its reply is lost. */
			b->bloom |= bit;
			way = -1;
		} else if (op == DINT_OP_KV_DELETE && way < 0) {
			way = DINT_KV_NO_WAY;
		}
		verdict = to_slow_path(ctx, b, idx, way, now);
		if (verdict >= 0)
			return verdict;
		/* The failed grow left the packet as it was but killed pkt's pointers. */
		if (!repoint(ctx, &pkt))
			return XDP_DROP;
		msg = pkt.payload;
		msg->hdr.status = DINT_ST_RETRY;
		dint_count(DINT_STAT_KV_RETRY);
		return dint_reply(&pkt);
	}
	unlock_bucket(b);
reply:
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

/* Applies what the slow path asks for; the caller holds the bucket under the request's lease. */
static __always_inline int tc_apply(struct dint_kv_bucket *b, struct dint_kv_msg *msg,
				    struct dint_kv_slow *slow, __u64 bit)
{
	__u8 flags = slow->flags;
	struct dint_kv_slot *s;
	int installed = 0;
	__u64 bloom;

	if (slow->way < DINT_KV_WAYS) {
		s = &b->slot[WAY(slow->way)];
		if (flags & DINT_KV_INSTALL) {
			__builtin_memcpy(&s->obj, &msg->obj, sizeof(s->obj));
			s->valid = 1;
			s->dirty = 0;
			b->bloom |= bit;
			installed = 1;
		} else if (flags & DINT_KV_INVALIDATE) {
			if (s->valid && s->obj.key == msg->obj.key) {
				s->valid = 0;
				s->dirty = 0;
			}
		} else if ((flags & DINT_KV_VICTIM) && s->valid && s->obj.key == slow->victim.key &&
			   s->obj.version == slow->victim.version) {
			s->dirty = 0; /* written back and left where it was */
		}
	}
	if (flags & DINT_KV_INVALIDATE) {
		/* Each remaining key, not the whole slot array hashed at once (the original's bug). */
		bloom = slow->bloom;
#pragma unroll
		for (int i = 0; i < DINT_KV_WAYS; i++)
			if (b->slot[i].valid)
				bloom |= bloom_bit(dint_hash64(b->slot[i].obj.key));
		b->bloom = bloom;
	}
	return installed;
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
		dint_count(tc_apply(b, msg, slow, bloom_bit(hash)) ? DINT_STAT_KV_TC_INSTALL
								   : DINT_STAT_KV_TC_RELEASE);
		unlock_bucket(b);
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
