// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Hands our own UDP traffic to AF_XDP sockets and everything else to the kernel stack.
 *
 * A frame is ours when it is IPv4/UDP without options or fragments, addressed to this host's MAC
 * (dint_cfg.mac) and to a UDP port listed in the "ports" map. The port's value names the XSKMAP
 * slot of the socket to deliver to: a client registers each of its source ports (replies come back
 * to them), a server the service port with XSK_BY_QUEUE, which picks the socket bound to the queue
 * the frame arrived on. A frame whose slot holds no socket, and every frame that is not ours, goes
 * on to the kernel untouched (XDP_PASS): ARP, ping and ordinary sockets keep working.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "dint_wire.h"

/* Value of a "ports" entry: deliver to the socket of the receiving queue. */
#define XSK_BY_QUEUE 0xffffffffu
#define XSK_MAX_SOCKETS 64

/* Counters (per-CPU array "xsk_stats"). */
enum xsk_stat {
	XSK_STAT_RX = 0,        /* frames seen */
	XSK_STAT_REDIRECT = 1,  /* ours, handed to a socket */
	XSK_STAT_PASS = 2,      /* not ours: to the kernel stack */
	XSK_STAT_NO_SOCKET = 3, /* ours by port, but no socket in the slot: to the kernel stack */
	XSK_STAT_MAX = 4,
};

const volatile struct dint_config dint_cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XSK_MAX_SOCKETS);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

/* UDP destination port (host byte order) -> XSKMAP slot, or XSK_BY_QUEUE. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XSK_MAX_SOCKETS);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XSK_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xsk_stats SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *c = bpf_map_lookup_elem(&xsk_stats, &stat);

	if (c)
		*c += 1;
}

static __always_inline int for_us(const struct ethhdr *eth)
{
	const volatile __u8 *m = dint_cfg.mac;

	return eth->h_dest[0] == m[0] && eth->h_dest[1] == m[1] && eth->h_dest[2] == m[2] &&
	       eth->h_dest[3] == m[3] && eth->h_dest[4] == m[4] && eth->h_dest[5] == m[5];
}

SEC("xdp")
int xsk_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;
	__u32 port, *slot, key;
	long verdict;

	count(XSK_STAT_RX);
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || !for_us(eth))
		goto pass;
	ip = (void *)(eth + 1);
	/* Options or fragments: the kernel reassembles and parses those, not our sockets. */
	if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(0x3fff)))
		goto pass;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		goto pass;
	port = bpf_ntohs(udp->dest);
	slot = bpf_map_lookup_elem(&ports, &port);
	if (!slot)
		goto pass;
	key = *slot == XSK_BY_QUEUE ? ctx->rx_queue_index : *slot;
	verdict = bpf_redirect_map(&xsks, key, XDP_PASS);
	count(verdict == XDP_REDIRECT ? XSK_STAT_REDIRECT : XSK_STAT_NO_SOCKET);
	return verdict;

pass:
	count(XSK_STAT_PASS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
