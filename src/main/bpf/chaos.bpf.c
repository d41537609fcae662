// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Fault injection on the local cluster's wire: a TC egress program on the bridge ports (every
 * frame leaves the bridge through the port of the host it is for) that drops, duplicates and
 * reorders a configured share of DINT's frames, per destination host, and counts what it did.
 * A duplicate is a clone sent out of the same port. A reordered frame takes a detour: it is sent
 * into a veth pair whose far end (chaos_detour, TC ingress) sends it back out of its port one
 * receive cycle later, so frames sent after it overtake it. (Delays by a set time would need the
 * fq or netem qdisc, which this kernel does not have.) Frames that are not DINT's whole
 * datagrams (ARP, other ports, fragments) are never touched. Runs only where frames cross the Linux bridge as skbs (a cluster
 * without the XDP switch).
 */
#include <linux/pkt_cls.h>
#include "dint_frame.h"
#include "dint_wire.h"
#include "chaos.h"

struct chaos_faults chaos_btf_faults __attribute__((unused));
enum chaos_stat chaos_btf_stat __attribute__((unused));

/* ifindex of a bridge port -> the faults of frames leaving through it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct chaos_faults);
} faults SEC(".maps");

DINT_COUNTERS(chaos_stats, CHAOS_STAT_MAX);

static __always_inline void chaos_count(__u32 stat)
{
	dint_bump(&chaos_stats, stat);
}

static __always_inline int chaos_hit(__u32 ppm)
{
	return ppm && bpf_get_prandom_u32() % 1000000 < ppm;
}

/* True for a whole IPv4/UDP datagram from or to DINT's port (DINT's are never fragmented). */
static __always_inline int chaos_ours(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = dint_ipv4_udp((void *)(long)skb->data, data_end);
	struct udphdr *udp = ip ? dint_udp_whole(ip, data_end) : NULL;

	return udp && (udp->dest == bpf_htons(DINT_PORT) || udp->source == bpf_htons(DINT_PORT));
}

SEC("tc")
int chaos_egress(struct __sk_buff *skb)
{
	struct chaos_faults *f;
	__u32 ifindex = skb->ifindex;

	if (skb->mark == CHAOS_PASS_MARK) {
		skb->mark = 0; /* a duplicate's copy, or back from the detour: no second round of faults */
		return TC_ACT_OK;
	}
	f = bpf_map_lookup_elem(&faults, &ifindex);
	if (!f || !chaos_ours(skb))
		return TC_ACT_OK;
	chaos_count(CHAOS_SEEN);
	if (chaos_hit(f->drop_ppm)) {
		chaos_count(CHAOS_DROPPED);
		return TC_ACT_SHOT;
	}
	if (chaos_hit(f->dup_ppm)) {
		__u32 mark = skb->mark;

		skb->mark = CHAOS_PASS_MARK;
		if (bpf_clone_redirect(skb, ifindex, 0) == 0)
			chaos_count(CHAOS_DUPLICATED);
		skb->mark = mark;
	}
	if (f->detour_ifindex && f->port_ifindex < (1u << 24) && chaos_hit(f->reorder_ppm)) {
		skb->mark = CHAOS_DETOUR_MARK | f->port_ifindex;
		chaos_count(CHAOS_REORDERED);
		return bpf_redirect(f->detour_ifindex, 0);
	}
	return TC_ACT_OK;
}

/* The detour's far end: a frame that took it goes back out of its port, unharmed. */
SEC("tc")
int chaos_detour(struct __sk_buff *skb)
{
	__u32 mark = skb->mark;

	if ((mark & CHAOS_DETOUR_MASK) != CHAOS_DETOUR_MARK)
		return TC_ACT_SHOT; /* nothing else should come this way */
	skb->mark = CHAOS_PASS_MARK;
	chaos_count(CHAOS_DETOURED);
	return bpf_redirect(mark & ~CHAOS_DETOUR_MASK, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
