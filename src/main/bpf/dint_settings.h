/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Settings the loader writes into a program's .rodata sections before load (const volatile, so
 * the verifier and JIT see constants), and the key of the allowlist it fills. Part of dint_wire.h;
 * mirrored by io.dint.wire and checked against BTF by WireLayoutTest.
 */
#ifndef DINT_SETTINGS_H
#define DINT_SETTINGS_H

#include <linux/types.h>

/*
 * Every service program's settings, in .rodata. mac: the interface's own address; frames to any
 * other destination (a bridge floods unknown unicast) are not ours. All-zero mac accepts any, for
 * test-run fixtures. table: the size of the program's main table, which the loader sizes with the
 * same number; a union, so that each program reads it in its own unit: lock_entries for lock2pl,
 * occ and shard (their lock table of dint_lock_entry; the shard's record cache is sized by
 * dint_shard_config.buckets), buckets for kv (its cache of dint_kv_bucket), ring_slots for log
 * (records of each CPU's ring of dint_log_entry, a power of two); 0 until the loader sets it.
 * allow: how many client prefixes requests are served from (0: from anywhere, and nothing is
 * looked at); they are in the program's allowlist map, and the first one also here
 * (allow_addr/allow_mask, network byte order), so that a list of one prefix — the common case —
 * costs a mask and a compare.
 */
struct dint_config {
	__u8 mac[6];
	__u16 pad;
	union {
		__u32 lock_entries; /* lock2pl, occ, shard */
		__u32 buckets;      /* kv */
		__u32 ring_slots;   /* log */
	} table;
	__u32 allow;
	__u32 allow_addr;
	__u32 allow_mask;
};

/*
 * Key of the allowlist (an LPM trie of up to DINT_ALLOW_MAX client prefixes): prefixlen bits of
 * addr, an IPv4 address in network byte order.
 */
#define DINT_ALLOW_MAX 256

struct dint_allow_key {
	__u32 prefixlen;
	__u32 addr;
};

/* Cache policies (dint_kv_config.policy), chosen at server start. */
#define DINT_KV_WRITE_BACK_BLOOM 0 /* SET hits stay in the kernel; a clear Bloom bit answers NOT_EXIST */
#define DINT_KV_WRITE_BACK 1       /* the same without Bloom filter: every miss goes to user space */
#define DINT_KV_WRITE_THROUGH 2    /* every SET, INSERT and DELETE goes to user space */

/* KV settings in .rodata.kv, written by the loader like dint_config. */
struct dint_kv_config {
	__u64 lease_ns; /* a bucket lock older than this may be taken over */
	__u32 policy;   /* DINT_KV_WRITE_BACK_BLOOM, _WRITE_BACK or _WRITE_THROUGH */
	__u32 pad;
};

/* A transaction shard's settings, in .rodata.shard, next to its dint_config. */
struct dint_shard_config {
	__u64 lease_ns;  /* a bucket lock older than this may be taken over */
	__u32 buckets;   /* cache buckets */
	__u32 log_slots; /* records per CPU ring of the commit log (a power of two) */
	__u32 lock_lease_ms; /* a transaction lock granted longer ago than this may be taken over, unless pinned */
	__u32 pad;
};

#endif /* DINT_SETTINGS_H */
