/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The in-kernel load generator (loadgen.bpf.c): what crosses the boundary to its Java driver
 * (io.dint.bench.KernelClient, mirrored in io.dint.wire.LoadGenLayout and checked against BTF).
 *
 * The generator is a closed loop: an XDP program on the client host's interface turns each reply
 * of a service into the slot's next request in the same frame and sends it back (XDP_TX). Java
 * fills the trace, starts every slot and resends requests lost on the way with "kicks": frames run
 * through the program with BPF_PROG_RUN in live-frame mode, which transmits what it returns.
 */
#ifndef DINT_LOADGEN_H
#define DINT_LOADGEN_H

#include <linux/types.h>

/* Requests in flight at most; a slot's requests own dedup entry slot % DINT_DEDUP_WINDOW. */
#define LG_MAX_SLOTS 4096
#define LG_SLOT_BITS 13 /* seq = incarnation << 32 | generation << LG_SLOT_BITS | slot */
#define LG_MAX_KEYS 10

/* Which service the loop speaks (lg_config.service). */
enum lg_service {
	LG_LOCK2PL = 1, /* 2PL lock transactions: acquire in order, release in reverse (LockClient) */
	LG_OCC = 2,     /* FaSST OCC transactions: read, lock, validate, commit (OccClient) */
	LG_LOG = 3,     /* one append per "transaction" */
	LG_KV = 4,      /* one GET or SET per "transaction" */
};

/*
 * One transaction of the trace: n keys in ascending order; bit i of exclusive marks key i
 * exclusive (2PL), in the write set (OCC) or a SET (KV). Log and KV transactions have n == 1.
 */
struct lg_txn {
	__u32 n;
	__u32 exclusive;
	__u64 key[LG_MAX_KEYS];
};

/* One request in flight: where its transaction stands. Written only by the program. */
struct lg_slot {
	__u64 seq;          /* seq of the outstanding request; 0 until the slot is started */
	__u64 sent_ns;      /* when it was sent (bpf_ktime_get_ns) */
	__u64 txn_start_ns; /* when the transaction's first attempt began */
	__u64 txn_id;
	__u32 txn;          /* trace index of the transaction */
	__u32 step;         /* key index of the outstanding request */
	__u32 phase;        /* LG_PH_* */
	__u32 held;         /* OCC: write-set keys below this index are locked */
	__u32 attempts;     /* attempts begun, names txn_id */
	__u32 requests;     /* requests of the current attempt answered so far */
	__u32 version[LG_MAX_KEYS]; /* OCC: version each read-set key had when read */
};

/* lg_slot.phase of a slot that has stopped: nothing outstanding, nothing held. */
#define LG_PH_PARKED 9

/* Frames whose header says op NONE and status LG_KICK are kicks, not replies. */
#define LG_KICK 0xff

/*
 * Control block, one entry, mmapable: Java writes stop and the kick list, the program reads
 * them. A kick takes the next index of kick[]: a slot not started yet starts its first
 * transaction; a started slot resends its outstanding request (same seq, so a server that has
 * already answered it answers again from its dedup window).
 */
struct lg_control {
	__u32 stop;       /* 1: transactions give back what they hold and park; 2: every reply is dropped */
	__u32 kick_next;  /* next index of kick[] a kick takes */
	__u32 kick[LG_MAX_SLOTS];
};

/* Counters, one per-CPU array entry of LG_STAT_MAX words (one lookup a reply). */
enum lg_stat {
	LG_STAT_REPLIES = 0,    /* replies matched to their slot */
	LG_STAT_SENT = 1,       /* requests sent by the loop (XDP_TX) */
	LG_STAT_KICKS = 2,      /* slots started by a kick */
	LG_STAT_RESENT = 3,     /* requests resent by a kick */
	LG_STAT_STALE = 4,      /* replies to a request no longer outstanding (after a resend) */
	LG_STAT_COMMITTED = 5,  /* transactions committed (log, KV: requests answered) */
	LG_STAT_ABORTED = 6,    /* attempts aborted (REJECT, failed validation) */
	LG_STAT_RETRIES = 7,    /* RETRY answers, resent at once */
	LG_STAT_PROTOCOL = 8,   /* answers the protocol does not allow in the slot's phase */
	LG_STAT_STOPPED = 9,    /* slots parked, and replies dropped, after stop */
	LG_STAT_NOT_OURS = 10,  /* frames passed up untouched */
	LG_STAT_GOOD = 11,      /* requests of the committed attempts (goodput) */
	LG_STAT_MAX = 16,
};

/*
 * Latency histograms (per-CPU array of LG_HIST_BUCKETS * 2 counters: requests, then
 * transactions). Bucket of v ns: v itself below 32; else 32 + (e - 5) * 16 + the 4 bits below
 * the top bit, e = floor(log2 v), capped at e = LG_HIST_MAX_EXP: about 6% resolution.
 */
#define LG_HIST_MAX_EXP 40
#define LG_HIST_BUCKETS (32 + (LG_HIST_MAX_EXP - 4) * 16)

/* Settings in .rodata, written by the loader before load. */
struct lg_config {
	__u32 service;     /* enum lg_service */
	__u32 slots;       /* slots in use, <= LG_MAX_SLOTS */
	__u32 trace_len;   /* transactions in the trace map */
	__u32 client_id;
	__u32 incarnation; /* high half of every seq: a restarted generator never matches old dedup entries */
	__u16 client_port; /* network order: replies to this port are ours */
	__u16 pad;
	__u64 resend_ns;   /* a kick resends a request only once it is this old (it may have moved on) */
};

#endif /* DINT_LOADGEN_H */
