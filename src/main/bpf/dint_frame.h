/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What every program that looks at DINT's frames shares, XDP or TC, service or not (dint_xdp.h,
 * xsk_redirect.bpf.c, chaos.bpf.c): per-CPU counter maps, and the walk from an Ethernet frame to
 * its IPv4 and UDP headers with a bounds check before every access. It declares no map and no
 * setting of its own, so that any object may include it without growing.
 */
#ifndef DINT_FRAME_H
#define DINT_FRAME_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Declares name, a per-CPU array of n __u64 counters that dint_bump counts in and Java sums. */
#define DINT_COUNTERS(name, n)                                                \
	struct {                                                              \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                      \
		__uint(max_entries, n);                                       \
		__type(key, __u32);                                           \
		__type(value, __u64);                                         \
	} name SEC(".maps")

/* Adds one to counter index of a map declared with DINT_COUNTERS (per CPU: no atomic needed). */
static __always_inline void dint_bump(void *counters, __u32 index)
{
	__u64 *c = bpf_map_lookup_elem(counters, &index);

	if (c)
		*c += 1;
}

/* True when the 6 bytes at addr are mac. */
static __always_inline int dint_mac_is(const __u8 *addr, const volatile __u8 *mac)
{
	return addr[0] == mac[0] && addr[1] == mac[1] && addr[2] == mac[2] && addr[3] == mac[3] &&
	       addr[4] == mac[4] && addr[5] == mac[5];
}

/*
 * The IPv4 header of the Ethernet frame [data, data_end) when the frame is IPv4 and carries UDP,
 * its fixed 20 bytes in bounds; NULL for anything else (ARP, IPv6, a VLAN tag, TCP, a runt).
 */
static __always_inline struct iphdr *dint_ipv4_udp(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->version != 4 ||
	    ip->protocol != IPPROTO_UDP)
		return NULL;
	return ip;
}

/*
 * The UDP header behind ip, in bounds, when ip heads a whole datagram: no IP options and no
 * fragment. What XDP and TC can read without reassembly (a later fragment has no UDP header,
 * and the header behind options is not at a constant offset); NULL otherwise.
 */
static __always_inline struct udphdr *dint_udp_whole(struct iphdr *ip, void *data_end)
{
	struct udphdr *udp = (void *)(ip + 1);

	if (ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)) || (void *)(udp + 1) > data_end)
		return NULL;
	return udp;
}

#endif /* DINT_FRAME_H */
