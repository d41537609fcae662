// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Test-only object for io.dint.bpf tests: one map of each kind the loader handles, an XDP
 * program whose verdict is a .rodata constant, and a TC program to attach. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} pairs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

const volatile __u32 verdict = XDP_PASS;
/* Nonzero: XDP_TX once the program has run more often than this (a second setting, at its own offset). */
const volatile __u64 tx_after = 0;
__u64 runs = 0;

SEC("xdp")
int fixture_xdp(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *c = bpf_map_lookup_elem(&counters, &key);

	if (c)
		*c += 1;
	if (__sync_fetch_and_add(&runs, 1) >= tx_after && tx_after)
		return XDP_TX;
	return verdict;
}

SEC("tc")
int fixture_tc(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
