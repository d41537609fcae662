/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What every service's XDP program shares: the per-CPU counters, the parse of
 * Ethernet/IPv4/UDP down to our payload and request, and the in-place turn of a request into
 * its reply. The header walk itself is dint_frame.h's, which programs that are no service share.
 */
#ifndef DINT_XDP_H
#define DINT_XDP_H

#include "dint_frame.h"
#include "dint_wire.h"
#include "dint_hash.h"

/* Anchors the wire types in every object's BTF, where WireLayoutTest reads them. */
struct dint_lock_msg dint_btf_lock_msg __attribute__((unused));
struct dint_txn_msg dint_btf_txn_msg __attribute__((unused));
struct dint_occ_msg dint_btf_occ_msg __attribute__((unused));
struct dint_lock_entry dint_btf_lock_entry __attribute__((unused));
struct dint_log_msg dint_btf_log_msg __attribute__((unused));
struct dint_log_entry dint_btf_log_entry __attribute__((unused));
struct dint_log_cursor dint_btf_log_cursor __attribute__((unused));
struct dint_kv_msg dint_btf_kv_msg __attribute__((unused));
struct dint_kv_slow dint_btf_kv_slow __attribute__((unused));
struct dint_kv_bucket dint_btf_kv_bucket __attribute__((unused));
struct dint_kv_config dint_btf_kv_config __attribute__((unused));
struct dint_shard_config dint_btf_shard_config __attribute__((unused));
enum dint_op dint_btf_op __attribute__((unused));
enum dint_status dint_btf_status __attribute__((unused));
enum dint_stat dint_btf_stat __attribute__((unused));

struct dint_dedup_entry dint_btf_dedup_entry __attribute__((unused));
struct dint_allow_key dint_btf_allow_key __attribute__((unused));

/* Set by the loader; see struct dint_config. */
const volatile struct dint_config dint_cfg = {};

/*
 * Declares a service's lock table: an array of entries of type value_type indexed by
 * dint_hash64(key) % dint_cfg.table.lock_entries (see dint_table_entry); the loader sizes it.
 */
#define DINT_TABLE(name, value_type)                                                              \
	struct {                                                                                  \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                 \
		__uint(max_entries, 1); /* resized by the loader before load */                  \
		__type(key, __u32);                                                               \
		__type(value, value_type);                                                        \
	} name SEC(".maps")

DINT_COUNTERS(stats, DINT_STAT_MAX);

/* The client prefixes requests are served from, when dint_cfg.allow is set (the loader fills it). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, DINT_ALLOW_MAX);
	__type(key, struct dint_allow_key);
	__type(value, __u8);
} allowlist SEC(".maps");

static __always_inline void dint_count(__u32 stat)
{
	dint_bump(&stats, stat);
}

/* Drops the frame, counted under stat: a service never drops a frame it could count. */
static __always_inline int dint_drop(__u32 stat)
{
	dint_count(stat);
	return XDP_DROP;
}

/* Counts the answer of a 2PL lock or release: GRANT, REJECT, RETRY, OK (a release) or NOT_HELD. */
static __always_inline void dint_count_lock_status(__u8 status)
{
	switch (status) {
	case DINT_ST_GRANT: dint_count(DINT_STAT_GRANT); break;
	case DINT_ST_REJECT: dint_count(DINT_STAT_REJECT); break;
	case DINT_ST_RETRY: dint_count(DINT_STAT_RETRY); break;
	case DINT_ST_OK: dint_count(DINT_STAT_RELEASE); break;
	default: dint_count(DINT_STAT_NOT_HELD); break;
	}
}

/* Outcome of dint_parse: a payload to serve, or a verdict to return at once. */
struct dint_pkt {
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;
	void *payload;
	__u32 payload_len;
};

#define DINT_PARSED (-1)

/* True when the frame is for this host, or when no address was configured. */
static __always_inline int dint_for_us(const struct ethhdr *eth)
{
	const volatile __u8 *m = dint_cfg.mac;

	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) || dint_mac_is(eth->h_dest, m);
}

/* The one's-complement sum of an option-less IPv4 header, folded: 0xffff when its checksum is right. */
static __always_inline __u32 dint_ip_sum(const struct iphdr *ip)
{
	const __u16 *p = (const __u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)sizeof(*ip) / 2; i++)
		sum += p[i];
	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}

/*
 * True when the headers are those of a request the kernel's own stack would deliver and answer:
 * an individual (not group) source MAC — a reply to a group address would go to every host on
 * the segment —, a right IP checksum, and a source address that is not martian (0/8, loopback,
 * multicast and the reserved 240/4 with the broadcast address).
 */
static __always_inline int dint_sane(const struct ethhdr *eth, const struct iphdr *ip)
{
	__u8 first = ((const __u8 *)&ip->saddr)[0];

	return !(eth->h_source[0] & 1) && first != 0 && first != 127 && first < 224 && dint_ip_sum(ip) == 0xffff;
}

/*
 * True when requests from saddr are served: no allowlist configured, or saddr in its first prefix
 * (a constant), or in another one (the LPM trie, looked up only when there are several).
 */
static __always_inline int dint_allowed(__be32 saddr)
{
	struct dint_allow_key key = {.prefixlen = 32, .addr = saddr};

	if (!dint_cfg.allow || (saddr & dint_cfg.allow_mask) == dint_cfg.allow_addr)
		return 1;
	return dint_cfg.allow > 1 && bpf_map_lookup_elem(&allowlist, &key);
}

/*
 * Parses ctx down to a UDP payload addressed to DINT_PORT. Returns DINT_PARSED with pkt filled,
 * or the verdict for a packet that is not ours (XDP_PASS) or that is ours but not to be served
 * (XDP_DROP): a fragment or IP options (a request arrives whole and option-less, and what we pass
 * up must not reach a slow path behind our port unchecked), a source outside the allowlist,
 * headers the stack would refuse, bad lengths. Every outcome but DINT_PARSED is counted.
 */
static __always_inline int dint_parse(struct xdp_md *ctx, struct dint_pkt *pkt, __u32 min_payload)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;
	__u32 udp_len;

	dint_count(DINT_STAT_RX);
	ip = dint_ipv4_udp(data, data_end);
	if (!ip || !dint_for_us(eth))
		goto not_ours;
	udp = dint_udp_whole(ip, data_end);
	if (!udp) {
		/*
		 * Options or a fragment: ours if its port is (a first fragment has its UDP header, a
		 * later one may look so). Below 5 words it is no IPv4 header: the stack drops it.
		 */
		if (ip->ihl < 5)
			goto not_ours;
		udp = (void *)ip + ip->ihl * 4;
		if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(DINT_PORT))
			goto not_ours;
		goto options;
	}
	if (udp->dest != bpf_htons(DINT_PORT))
		goto not_ours;
	if (!dint_sane(eth, ip))
		return dint_drop(DINT_STAT_DROP_BAD_HEADER);
	if (!dint_allowed(ip->saddr))
		return dint_drop(DINT_STAT_DROP_NOT_ALLOWED);
	udp_len = bpf_ntohs(udp->len);
	if (udp_len < sizeof(*udp) || (void *)udp + udp_len > data_end ||
	    bpf_ntohs(ip->tot_len) != sizeof(*ip) + udp_len)
		return dint_drop(DINT_STAT_DROP_BAD_LENGTH);
	if (udp_len - sizeof(*udp) > DINT_MAX_PAYLOAD)
		return dint_drop(DINT_STAT_DROP_BAD_LENGTH);
	if (udp_len - sizeof(*udp) < min_payload)
		return dint_drop(DINT_STAT_DROP_TRUNCATED);
	pkt->eth = eth;
	pkt->ip = ip;
	pkt->udp = udp;
	pkt->payload = udp + 1;
	pkt->payload_len = udp_len - sizeof(*udp);
	return DINT_PARSED;

options:
	return dint_drop(DINT_STAT_DROP_IP_OPTIONS);
not_ours:
	dint_count(DINT_STAT_PASS_NOT_OURS);
	return XDP_PASS;
}

/*
 * dint_parse for a service whose requests are exactly size bytes (longer is a bad length), then
 * the check every service makes of its header: a request (not a reply sent to us) with an op in
 * [op_lo, op_hi]; anything else is counted as a bad op and dropped. Returns the request, its
 * size bytes in bounds (pkt filled), or NULL with *verdict the verdict to return.
 */
static __always_inline void *dint_request(struct xdp_md *ctx, struct dint_pkt *pkt, __u32 size, __u8 op_lo,
					  __u8 op_hi, int *verdict)
{
	struct dint_hdr *h;

	*verdict = dint_parse(ctx, pkt, size);
	if (*verdict != DINT_PARSED)
		return NULL;
	*verdict = XDP_DROP;
	if (pkt->payload_len != size) {
		dint_count(DINT_STAT_DROP_BAD_LENGTH);
		return NULL;
	}
	h = pkt->payload;
	/* Never true (dint_parse checked the UDP length), but the verifier must see a constant bound. */
	if ((void *)h + size > (void *)(long)ctx->data_end)
		return NULL;
	if (h->status != DINT_ST_REQUEST || h->op < op_lo || h->op > op_hi) {
		dint_count(DINT_STAT_DROP_BAD_OP);
		return NULL;
	}
	return h;
}

/*
 * The entry of key in a table declared with DINT_TABLE, or NULL when there is none (never, once
 * the loader has set lock_entries: the index is always in range). A NULL is counted as a bad op.
 */
static __always_inline void *dint_table_entry(void *table, __u64 key)
{
	__u32 idx;
	void *e;

	if (!dint_cfg.table.lock_entries)
		return NULL;
	idx = dint_hash64(key) % dint_cfg.table.lock_entries;
	e = bpf_map_lookup_elem(table, &idx);
	if (!e)
		dint_count(DINT_STAT_DROP_BAD_OP);
	return e;
}

/*
 * Turns the request into its reply in place: addresses and ports swapped (the IP checksum is a
 * sum, so a swap leaves it valid), UDP checksum 0 (legal on IPv4; the request's checksum was
 * partial when it came from a local socket). Returns XDP_TX.
 */
static __always_inline int dint_reply(struct dint_pkt *pkt)
{
	unsigned char mac[ETH_ALEN];
	__be32 addr;
	__be16 port;

	__builtin_memcpy(mac, pkt->eth->h_source, ETH_ALEN);
	__builtin_memcpy(pkt->eth->h_source, pkt->eth->h_dest, ETH_ALEN);
	__builtin_memcpy(pkt->eth->h_dest, mac, ETH_ALEN);
	addr = pkt->ip->saddr;
	pkt->ip->saddr = pkt->ip->daddr;
	pkt->ip->daddr = addr;
	port = pkt->udp->source;
	pkt->udp->source = pkt->udp->dest;
	pkt->udp->dest = port;
	pkt->udp->check = 0;
	dint_count(DINT_STAT_TX);
	return XDP_TX;
}

/*
 * The dedup window (see struct dint_dedup_entry) of a service that declares it with
 * DINT_DEDUP_MAP(name). Returns the entry for the request's id, or NULL.
 */
#define DINT_DEDUP_MAP(name)                                                  \
	struct {                                                              \
		__uint(type, BPF_MAP_TYPE_ARRAY);                             \
		__uint(max_entries, DINT_DEDUP_CLIENTS * DINT_DEDUP_WINDOW);  \
		__type(key, __u32);                                           \
		__type(value, struct dint_dedup_entry);                       \
	} name SEC(".maps")

static __always_inline struct dint_dedup_entry *dint_dedup_slot(void *map, const struct dint_hdr *h)
{
	__u32 idx = (h->client_id % DINT_DEDUP_CLIENTS) * DINT_DEDUP_WINDOW + (__u32)(h->seq % DINT_DEDUP_WINDOW);

	return bpf_map_lookup_elem(map, &idx);
}

/* True when d holds the answer to this very request: a retransmission. */
static __always_inline int dint_dedup_hit(const struct dint_dedup_entry *d, const struct dint_hdr *h)
{
	return d && d->valid && d->seq == h->seq && d->client_id == h->client_id;
}

static __always_inline void dint_dedup_store(struct dint_dedup_entry *d, const struct dint_hdr *h, __u8 status)
{
	if (!d)
		return;
	d->seq = h->seq;
	d->client_id = h->client_id;
	d->status = status;
	d->valid = 1;
}

#endif /* DINT_XDP_H */
