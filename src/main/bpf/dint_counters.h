/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The per-CPU counters of every service program (map "stats", DINT_STAT_MAX entries). Part of
 * dint_wire.h; io.dint.wire.Stat mirrors the indices and WireLayoutTest checks them against BTF.
 */
#ifndef DINT_COUNTERS_H
#define DINT_COUNTERS_H

/*
 * Indices of the per-CPU counters every service program keeps (map "stats"). 0-6 and 56-63 are
 * common; each service owns a range: 2PL lock 7-11, OCC lock 12-19, log 20-27, KV 28-39,
 * transactions 40-55.
 */
enum dint_stat {
	DINT_STAT_RX = 0,            /* packets seen by the program */
	DINT_STAT_TX = 1,            /* replies sent with XDP_TX */
	DINT_STAT_PASS_NOT_OURS = 2, /* not IPv4/UDP to our port: passed untouched */
	DINT_STAT_DROP_IP_OPTIONS = 3, /* ours but with IP options or fragmented: dropped */
	DINT_STAT_DROP_TRUNCATED = 4,  /* ours but shorter than its message */
	DINT_STAT_DROP_BAD_LENGTH = 5, /* UDP length disagrees with the packet, or oversize */
	DINT_STAT_DROP_BAD_OP = 6,     /* unknown opcode or a reply sent to us */
	DINT_STAT_GRANT = 7,
	DINT_STAT_REJECT = 8,
	DINT_STAT_RETRY = 9,
	DINT_STAT_RELEASE = 10,
	DINT_STAT_NOT_HELD = 11,
	DINT_STAT_OCC_READ = 12,
	DINT_STAT_OCC_GRANT = 13,
	DINT_STAT_OCC_REJECT = 14,
	DINT_STAT_OCC_RETRY = 15,
	DINT_STAT_OCC_COMMIT = 16,
	DINT_STAT_OCC_ABORT = 17,
	DINT_STAT_OCC_NOT_HELD = 18,
	DINT_STAT_DUPLICATE = 19,    /* a retransmitted request answered from the dedup window */
	DINT_STAT_LOG_APPEND = 20,   /* records appended and ACKed */
	DINT_STAT_LOG_FULL = 21,     /* ring full: answered RETRY, nothing overwritten */
	/* KV store: XDP program (28-35) and TC egress program (36-39). */
	DINT_STAT_KV_GET_HIT = 28,       /* GET answered from the cache */
	DINT_STAT_KV_SET_HIT = 29,       /* SET written in place (write-back) */
	DINT_STAT_KV_INSERT_HIT = 30,    /* INSERT answered in the kernel: installed, or EXISTS */
	DINT_STAT_KV_NOT_EXIST = 31,     /* answered NOT_EXIST from the Bloom word */
	DINT_STAT_KV_RETRY = 32,         /* bucket locked: answered RETRY */
	DINT_STAT_KV_LEASE_TAKEOVER = 33,/* a lock older than the lease taken over */
	DINT_STAT_KV_SLOW = 34,          /* grown and passed to the slow path (bucket left locked) */
	DINT_STAT_KV_WRITEBACK = 35,     /* ... carrying a dirty victim to write back */
	DINT_STAT_KV_TC_INSTALL = 36,    /* slow-path reply: object installed, bucket unlocked, shrunk */
	DINT_STAT_KV_TC_RELEASE = 37,    /* slow-path reply: nothing to install; unlocked, shrunk */
	DINT_STAT_KV_TC_STALE = 38,      /* slow-path reply whose lease was taken over: only shrunk */
	DINT_STAT_KV_TC_BAD = 39,        /* from our port but not a slow-path reply: passed untouched */
	/* Transaction shards (40-55); their cache also counts KV_LEASE_TAKEOVER, KV_SLOW, */
	/* KV_WRITEBACK and KV_TC_*, their locks GRANT..NOT_HELD, their log LOG_APPEND and LOG_FULL. */
	DINT_STAT_TXN_READ_HIT = 40,     /* read, lock + read or validate answered from the cache */
	DINT_STAT_TXN_ABSENT = 41,       /* ... answered "no such record" from the Bloom word */
	DINT_STAT_TXN_INSTALL_HIT = 42,  /* commit, insert or delete installed in the cache */
	DINT_STAT_TXN_BUSY = 43,         /* record's bucket locked: answered RETRY */
	DINT_STAT_TXN_TC_BUSY = 44,      /* slow-path reply to an unlocking install dropped: lock entry busy */
	DINT_STAT_TXN_LOCK_TAKEOVER = 45,/* a lock whose lease ran out taken over (the epoch advanced) */
	DINT_STAT_TXN_STALE = 46,        /* LOG answered STALE: the sender's locks are from an earlier epoch */
	DINT_STAT_TXN_GRACE = 47,        /* read or lock answered RETRY: recovering, in the grace period */
	/* Common counters added later (56-63). */
	DINT_STAT_DROP_NOT_ALLOWED = 56, /* ours, from a source outside the allowlist */
	DINT_STAT_DROP_BAD_HEADER = 57,  /* ours, but a bad IP checksum, a group source MAC or a martian source */
	DINT_STAT_MAX = 64,
};

#endif /* DINT_COUNTERS_H */
