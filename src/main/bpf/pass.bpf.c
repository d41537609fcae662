// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * XDP_PASS on the bridge-side veth ports of the local cluster: native XDP_TX on a veth is dropped
 * unless its peer also runs an XDP program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pass_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
