// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Test-only: the verifier must reject this (a map value used without its NULL check; a hash map,
 * since the verifier knows a constant in-range array lookup cannot fail). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

SEC("xdp")
int bad_xdp(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&values, &key);

	*v += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
