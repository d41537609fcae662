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
#include "dint_frame.h"
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

DINT_COUNTERS(xsk_stats, XSK_STAT_MAX);

static __always_inline void count(__u32 stat)
{
	dint_bump(&xsk_stats, stat);
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
	ip = dint_ipv4_udp(data, data_end);
	if (!ip || !dint_mac_is(eth->h_dest, dint_cfg.mac))
		goto pass;
	/* Options or fragments: the kernel reassembles and parses those, not our sockets. */
	udp = dint_udp_whole(ip, data_end);
	if (!udp)
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
