/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The in-kernel write-back cache of the KV store, for every program that serves objects from it
 * (kv.bpf.c; the transaction shards later): 4-way buckets of struct dint_kv_bucket, indexed by
 * dint_hash64(key) % buckets, each with a Bloom word and a lock that is also a lease.
 *
 * The caller owns the map and the config; everything here works on one bucket:
 *   kv_lock / kv_unlock      the bucket lock: a CAS, never spun on (busy -> RETRY); a lock older
 *                            than the lease is taken over, so a lost slow-path packet cannot lock
 *                            a bucket for ever (the original's could)
 *   kv_cache_op              what the cache can answer: hit, Bloom NOT_EXIST, INSERT into a free
 *                            or clean slot; otherwise the slot the slow path's object goes into
 *   kv_to_slow_path          grows the request by a struct dint_kv_slow (slot, lease, dirty victim)
 *   kv_tc_apply              what the slow path's reply asks: install, clean, drop, new Bloom word
 *   kv_tc_reply              the TC egress program's whole work on a slow-path reply
 */
#ifndef DINT_KV_CACHE_H
#define DINT_KV_CACHE_H

#include "dint_xdp.h"
#include "dint_hash.h"
#include <linux/pkt_cls.h>
#include <stddef.h>

/* kv_cache_op's answer when the slow path must serve the request. */
#define KV_CACHE_SLOW 0xff

#define KV_WAY(w) ((w) & (DINT_KV_WAYS - 1))

/* The key's bit in its bucket's Bloom word: the top 6 bits of its hash (one hash function). */
static __always_inline __u64 kv_bloom_bit(__u64 hash)
{
	return 1ULL << (hash >> 58);
}

/*
 * Takes the bucket lock with value now (a nonzero bpf_ktime_get_ns), or takes over a lock held
 * for longer than lease_ns. Returns 1 when taken.
 */
static __always_inline int kv_lock(struct dint_kv_bucket *b, __u64 now, __u64 lease_ns)
{
	__u64 held = __sync_val_compare_and_swap(&b->lock, 0, now);

	if (!held)
		return 1;
	if ((__s64)(now - held) < (__s64)lease_ns)
		return 0;
	if (__sync_val_compare_and_swap(&b->lock, held, now) != held)
		return 0;
	dint_count(DINT_STAT_KV_LEASE_TAKEOVER);
	return 1;
}

static __always_inline void kv_unlock(struct dint_kv_bucket *b)
{
	__sync_lock_test_and_set(&b->lock, 0);
}

/* The slot holding key, or -1. */
static __always_inline int kv_find(struct dint_kv_bucket *b, __u64 key)
{
#pragma unroll
	for (int i = 0; i < DINT_KV_WAYS; i++)
		if (b->slot[i].valid && b->slot[i].obj.key == key)
			return i;
	return -1;
}

/* The first invalid slot, else the first clean one; -1 when all are valid and dirty. */
static __always_inline int kv_free_or_clean(struct dint_kv_bucket *b)
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

/* The slot a fetched object replaces: free, else clean, else one at random (as the paper). */
static __always_inline int kv_victim(struct dint_kv_bucket *b)
{
	int way = kv_free_or_clean(b);

	return way >= 0 ? way : (int)(bpf_get_prandom_u32() % DINT_KV_WAYS);
}

/*
 * Serves op on obj (the request's object, rewritten into the reply's) from bucket b, which the
 * caller has locked. Returns the reply's status, or KV_CACHE_SLOW with *way set to the slot the
 * slow path's answer goes into (the key's own slot, a victim, or DINT_KV_NO_WAY for a DELETE of
 * an uncached key). A clean slot holding the key is invalidated before it goes up, so that a
 * reply that never comes leaves no stale copy behind; a dirty one stays (it is newer than user
 * space) and travels as the victim.
 */
static __always_inline __u8 kv_cache_op(struct dint_kv_bucket *b, __u8 op, struct dint_kv_object *obj,
					__u64 bit, __u32 policy, int *way)
{
	int w = kv_find(b, obj->key);
	struct dint_kv_slot *s;

	if (w >= 0) {
		s = &b->slot[KV_WAY(w)];
		if (op == DINT_OP_KV_GET) {
			obj->version = s->obj.version;
			__builtin_memcpy(obj->value, s->obj.value, DINT_KV_VALUE_SIZE);
			dint_count(DINT_STAT_KV_GET_HIT);
			return DINT_ST_KV_OK;
		}
		if (op == DINT_OP_KV_INSERT) {
			dint_count(DINT_STAT_KV_INSERT_HIT);
			return DINT_ST_KV_EXISTS;
		}
		if (op == DINT_OP_KV_SET && policy != DINT_KV_WRITE_THROUGH) {
			__builtin_memcpy(s->obj.value, obj->value, DINT_KV_VALUE_SIZE);
			obj->version = ++s->obj.version;
			s->dirty = 1;
			dint_count(DINT_STAT_KV_SET_HIT);
			return DINT_ST_KV_OK;
		}
		/* Write-through SET, or DELETE: user space decides, the slot is refilled or dropped. */
		if (!s->dirty)
			s->valid = 0;
		*way = w;
		return KV_CACHE_SLOW;
	}
	if (policy == DINT_KV_WRITE_BACK_BLOOM && !(b->bloom & bit)) {
		/* Not in the bucket, cached or not: answered here. */
		if (op != DINT_OP_KV_INSERT) {
			dint_count(DINT_STAT_KV_NOT_EXIST);
			return DINT_ST_KV_NOT_EXIST;
		}
		w = kv_free_or_clean(b);
		if (w >= 0) {
			s = &b->slot[KV_WAY(w)];
			obj->version = 1;
			__builtin_memcpy(&s->obj, obj, sizeof(s->obj));
			s->valid = 1;
			s->dirty = 1;
			b->bloom |= bit;
			dint_count(DINT_STAT_KV_INSERT_HIT);
			return DINT_ST_KV_OK;
		}
	}
	if (op == DINT_OP_KV_DELETE) {
		*way = DINT_KV_NO_WAY;
		return KV_CACHE_SLOW;
	}
	if (op == DINT_OP_KV_INSERT)
		b->bloom |= bit; /* it may exist once user space is done, even if the reply is lost */
	*way = kv_victim(b);
	return KV_CACHE_SLOW;
}

static __always_inline void kv_ip_checksum(struct iphdr *ip)
{
	ip->check = 0;
	ip->check = (__u16)~dint_ip_sum(ip);
}

/*
 * Makes room for a struct dint_kv_slow right after the msg_size-byte payload of an option-less
 * IPv4/UDP frame: at the tail when the buffer has tailroom, else at the head — XDP guarantees
 * headroom, not tailroom, and a veth frame that went through another XDP program (a bridge
 * port's) sits in a page-pool fragment cut to its size — with the headers and payload moved to
 * the new start. Either way the frame is then headers, payload, room. Returns 0, or -1 with the
 * frame unchanged.
 */
static __always_inline int kv_grow(struct xdp_md *ctx, const __u32 msg_size)
{
	const __u32 keep = sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr) + msg_size;
	const __u32 room = sizeof(struct dint_kv_slow);
	void *data, *data_end;

	if (!bpf_xdp_adjust_tail(ctx, room))
		return 0;
	if (bpf_xdp_adjust_head(ctx, -(int)room))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + keep + room > data_end) {
		bpf_xdp_adjust_head(ctx, room); /* unreachable: the frame held keep bytes before */
		return -1;
	}
	/* Ascending copy to a lower address: each word is read before anything overwrites it. */
#pragma unroll
	for (__u32 i = 0; i + 8 <= keep; i += 8)
		*(__u64 *)(data + i) = *(__u64 *)(data + room + i);
#pragma unroll
	for (__u32 i = keep & ~7U; i < keep; i++)
		*(__u8 *)(data + i) = *(__u8 *)(data + room + i);
	return 0;
}

/*
 * Grows the request (msg_size bytes of payload after an option-less IPv4/UDP header) by a struct
 * dint_kv_slow naming bucket idx, slot way, the lease and the dirty victim to write back, fixes
 * the IP and UDP lengths (UDP checksum 0, legal on IPv4) and counts it. The bucket stays locked
 * with lease until the reply passes kv_tc_apply, or the lease runs out. Returns XDP_PASS, or -1
 * with the bucket unlocked and the packet as it was when it cannot grow.
 */
static __always_inline int kv_to_slow_path(struct xdp_md *ctx, struct dint_kv_bucket *b, __u32 idx,
					   int way, __u64 lease, const __u32 msg_size)
{
	struct dint_kv_slot *victim = 0;
	struct dint_kv_slow *slow;
	struct udphdr *udp;
	struct iphdr *ip;
	void *data, *data_end;

	if (way != DINT_KV_NO_WAY) {
		victim = &b->slot[KV_WAY(way)];
		if (!(victim->valid && victim->dirty))
			victim = 0;
	}
	if (kv_grow(ctx, msg_size)) {
		kv_unlock(b);
		return -1;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip = data + sizeof(struct ethhdr);
	udp = (void *)(ip + 1);
	slow = (void *)(udp + 1) + msg_size;
	if ((void *)(slow + 1) > data_end) {
		kv_unlock(b);
		return -1; /* unreachable: the frame just grew by that much (it stays grown: dropped) */
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
	ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*udp) + msg_size + sizeof(*slow));
	kv_ip_checksum(ip);
	udp->len = bpf_htons(sizeof(*udp) + msg_size + sizeof(*slow));
	udp->check = 0;
	dint_count(DINT_STAT_KV_SLOW);
	if (victim)
		dint_count(DINT_STAT_KV_WRITEBACK);
	return XDP_PASS;
}

/*
 * Applies the slow path's reply to bucket b, locked by the caller under the request's lease:
 * installs obj (the reply's object, which must be the request's key, not cached in another slot)
 * clean in the slot (INSTALL), or drops the deleted key and
 * takes the Bloom word user space rebuilt from its keys, each remaining cached key's bit added
 * (INVALIDATE: every key hashed on its own; the original hashed the whole slot array at once
 * and answered false NOT_EXISTs), or marks the written-back victim clean if it is still there
 * unchanged. Returns 1 when an object was installed.
 */
static __always_inline int kv_tc_apply(struct dint_kv_bucket *b, struct dint_kv_object *obj,
				       struct dint_kv_slow *slow, __u64 key, __u64 bit)
{
	__u8 flags = slow->flags;
	struct dint_kv_slot *s;
	int installed = 0, w;
	__u64 bloom;

	if (slow->way < DINT_KV_WAYS) {
		s = &b->slot[KV_WAY(slow->way)];
		w = kv_find(b, key);
		/* Only the request's own key, and never a second copy of it: the bucket stays the truth. */
		if ((flags & DINT_KV_INSTALL) && obj->key == key && (w < 0 || w == slow->way)) {
			__builtin_memcpy(&s->obj, obj, sizeof(s->obj));
			s->valid = 1;
			s->dirty = 0;
			b->bloom |= bit;
			installed = 1;
		} else if (flags & DINT_KV_INVALIDATE) {
			if (s->valid && s->obj.key == obj->key) {
				s->valid = 0;
				s->dirty = 0;
			}
		} else if ((flags & DINT_KV_VICTIM) && s->valid && s->obj.key == slow->victim.key &&
			   s->obj.version == slow->victim.version) {
			s->dirty = 0; /* written back, and left where it was */
		}
	}
	if (flags & DINT_KV_INVALIDATE) {
		bloom = slow->bloom;
#pragma unroll
		for (int i = 0; i < DINT_KV_WAYS; i++)
			if (b->slot[i].valid)
				bloom |= kv_bloom_bit(dint_hash64(b->slot[i].obj.key));
		b->bloom = bloom;
	}
	return installed;
}

/* Points pkt at the msg_size-byte payload of a frame dint_parse accepted before (no IP options). */
static __always_inline int kv_repoint(struct xdp_md *ctx, struct dint_pkt *pkt, const __u32 msg_size)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	pkt->eth = data;
	pkt->ip = data + sizeof(struct ethhdr);
	pkt->udp = (void *)(pkt->ip + 1);
	pkt->payload = pkt->udp + 1;
	return pkt->payload + msg_size <= data_end;
}

/*
 * The TC egress program of a service with a slow path: sees a reply leave from our port carrying
 * a struct dint_kv_slow behind its msg_size-byte message (whose op is in [op_lo, op_hi] and whose
 * key is its first field after the header), applies it to the bucket of cache (buckets entries)
 * while the bucket lock still holds the request's lease, unlocks, and shrinks the reply back to
 * the plain message. The object installed is the message's own (obj_in_trailer 0: a KV message
 * is header + object) or the trailer's victim field, which the slow path fills (obj_in_trailer 1:
 * messages of another shape). Anything else from our port is counted and left alone. When head
 * is not NULL it receives the first head_size bytes of a slow-path reply's message (its status
 * then is not DINT_ST_REQUEST), for what the service does beyond the cache.
 */
static __always_inline int kv_tc_reply(struct __sk_buff *skb, void *cache, __u32 buckets, const __u32 msg_size,
				       __u8 op_lo, __u8 op_hi, int obj_in_trailer, void *head, const __u32 head_size)
{
	const __u32 want = sizeof(struct udphdr) + msg_size + sizeof(struct dint_kv_slow);
	const __u32 len = sizeof(struct ethhdr) + sizeof(struct iphdr) + want;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct dint_kv_bucket *b;
	struct dint_kv_slow *slow;
	struct dint_hdr *hdr;
	struct udphdr *udp;
	struct iphdr *ip;
	__u64 hash, lease, key;
	__be16 old_tot, new_tot;
	__u32 idx;

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
	    (ip->frag_off & bpf_htons(0x3fff)) || skb->len < len)
		goto bad;
	if ((void *)(long)skb->data + len > (void *)(long)skb->data_end && bpf_skb_pull_data(skb, len))
		goto bad;
	data = (void *)(long)skb->data;
	if (data + len > (void *)(long)skb->data_end)
		goto bad;
	hdr = data + sizeof(*eth) + sizeof(*ip) + sizeof(*udp);
	slow = (void *)hdr + msg_size;
	key = *(__u64 *)(hdr + 1);
	if (hdr->status == DINT_ST_REQUEST || hdr->op < op_lo || hdr->op > op_hi || !buckets)
		goto bad;
	hash = dint_hash64(key);
	idx = hash % buckets;
	if (idx != slow->bucket)
		goto bad;
	b = bpf_map_lookup_elem(cache, &idx);
	if (!b)
		goto bad;
	if (head)
		__builtin_memcpy(head, hdr, head_size);

	/*
	 * Renew the lease while we write, then unlock; a lock that moved on means we were too late.
	 * A lease is never 0 (the time it was taken | 1): 0 would match a free bucket, and a forged
	 * reply would write into it.
	 */
	lease = slow->lease;
	if (!lease || __sync_val_compare_and_swap(&b->lock, lease, bpf_ktime_get_ns() | 1) != lease) {
		dint_count(DINT_STAT_KV_TC_STALE);
	} else {
		struct dint_kv_object *obj = obj_in_trailer ? &slow->victim : (void *)(hdr + 1);

		dint_count(kv_tc_apply(b, obj, slow, key, kv_bloom_bit(hash)) ? DINT_STAT_KV_TC_INSTALL
									 : DINT_STAT_KV_TC_RELEASE);
		kv_unlock(b);
	}

	/* Shrink back to the plain message. The UDP checksum is 0: the slow path sends none. */
	old_tot = bpf_htons(sizeof(*ip) + want);
	new_tot = bpf_htons(sizeof(*ip) + sizeof(*udp) + msg_size);
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
	udp->len = bpf_htons(sizeof(*udp) + msg_size);
	udp->check = 0;
	bpf_l3_csum_replace(skb, sizeof(*eth) + offsetof(struct iphdr, check), old_tot, new_tot, sizeof(__u16));
	return TC_ACT_OK;

bad:
	dint_count(DINT_STAT_KV_TC_BAD);
	return TC_ACT_OK;
}

#endif /* DINT_KV_CACHE_H */
