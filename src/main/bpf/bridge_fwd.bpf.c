// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The local cluster's switch fabric in XDP, on every bridge-side port: a frame for a host this
 * program knows (by destination MAC) is redirected straight to that host's port through a devmap,
 * so a frame sent by XDP (a server's XDP_TX, the in-kernel load generator) stays an xdp_frame end
 * to end instead of becoming an skb for the Linux bridge. Anything else (broadcast, ARP, an unknown
 * address) goes on to the bridge (XDP_PASS). Being an XDP program it also gives every port the
 * receive side that native XDP_TX on the hosts' veths needs.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#define BRIDGE_MAX_PORTS 256

/* Destination MAC (6 bytes, zero-extended to 8, little-endian load) -> index in ports. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BRIDGE_MAX_PORTS);
	__type(key, __u64);
	__type(value, __u32);
} mac_port SEC(".maps");

/* Port index -> ifindex of the bridge-side veth of that host. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, BRIDGE_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int bridge_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u64 mac = 0;
	__u32 *port;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	__builtin_memcpy(&mac, eth->h_dest, ETH_ALEN);
	port = bpf_map_lookup_elem(&mac_port, &mac);
	if (!port)
		return XDP_PASS;
	return bpf_redirect_map(&ports, *port, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
