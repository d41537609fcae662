/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Fault injection on the wire (chaos.bpf.c): what crosses the boundary to io.dint.cluster.WireFaults,
 * mirrored there and checked against BTF.
 */
#ifndef DINT_CHAOS_H
#define DINT_CHAOS_H

#include <linux/types.h>

/*
 * Faults for the frames of one bridge port's egress, i.e. every frame on its way to that host;
 * shares in parts per million, drawn independently per frame. Only DINT's UDP port is touched.
 */
struct chaos_faults {
	__u32 drop_ppm;       /* dropped */
	__u32 dup_ppm;        /* sent twice */
	__u32 reorder_ppm;    /* sent the long way (the detour), so that frames sent after it overtake it */
	__u32 detour_ifindex; /* the detour's entry: one end of a veth pair whose other end sends frames on */
	__u32 port_ifindex;   /* this port, where the detour delivers */
	__u32 pad;
};

/* Counters, per-CPU, indexed by enum chaos_stat. */
enum chaos_stat {
	CHAOS_SEEN = 0,       /* frames of DINT's port through a port with faults set */
	CHAOS_DROPPED = 1,
	CHAOS_DUPLICATED = 2,
	CHAOS_REORDERED = 3,
	CHAOS_DETOURED = 4,   /* frames that came back from the detour to their port */
	CHAOS_STAT_MAX = 8,
};

/* skb->mark of a duplicate, or of a frame back from the detour: it passes without new faults. */
#define CHAOS_PASS_MARK 0xd1d1c0de
/* skb->mark of a frame on the detour: the high half says so, the low half is its port's ifindex. */
#define CHAOS_DETOUR_MARK 0xd7000000
#define CHAOS_DETOUR_MASK 0xff000000

#endif /* DINT_CHAOS_H */
