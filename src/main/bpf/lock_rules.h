/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The lock rules of every lock table (lock2pl.bpf.c, occ.bpf.c, shard.bpf.c), on one struct
 * dint_lock_entry whose spin word the caller holds. io.dint.lock.LockRules is their Java twin,
 * used by LockTable, OccTable and ShardStore; the parity tests replay every step through both.
 *
 * 2PL, no-wait (nobody ever waits: a conflict is REJECT, the transaction aborts and restarts):
 *   shared     granted unless another transaction holds the entry exclusively
 *   exclusive  granted when nobody else holds it: no exclusive grant of another transaction and
 *              no shared grant of another one — a transaction that is the only sharer may
 *              upgrade, and its own grants never reject it
 *   release    refused (NOT_HELD) to a caller that holds no such grant, as far as the entry
 *              tells: the exclusive holder, the only sharer, or one of several sharers
 * Every grant is counted and released once: keys are hashed, so one transaction's locks on
 * several keys of one entry are several grants. Once several transactions have shared an entry
 * it no longer knows which of them are left (sharer stays DINT_LOCK_SHARERS until the last
 * release), so an upgrade there is refused: a false conflict, never a missed one.
 *
 * OCC (FaSST style) locks with the same rules: the lock is the exclusive grant; a COMMIT is a
 * release that bumps the version (dint_lock_entry.version, the OCC service's; a shard keeps its
 * versions with its records); a read reports whether another transaction holds the lock.
 *
 * Leases (a shard's locks; the lock services pass now 0 and never take over): every grant starts
 * the entry's lease (granted_ns = now). A request that conflicts may take the entry over once
 * lease_ns passed since its last grant and one transaction holds every grant of it: the entry is
 * emptied (lock_take_over) and the request asks again. An entry shared by several transactions is
 * never taken over, since it cannot tell whose grants are left; the caller may also keep a
 * transaction's grants for ever (a shard keeps those of a transaction that logged there: it may
 * be committed). A transaction whose grant was taken over holds nothing (lock_holds_*): its
 * release is refused and a retransmission of its grant is answered REJECT.
 */
#ifndef DINT_LOCK_RULES_H
#define DINT_LOCK_RULES_H

#include "dint_wire.h"

/* True when a request may name txn: 0 means "no holder", DINT_LOCK_SHARERS "several sharers". */
static __always_inline int lock_txn_ok(__u64 txn)
{
	return txn != 0 && txn != DINT_LOCK_SHARERS;
}

/* True when a transaction other than txn holds e exclusively (a read sees it locked). */
static __always_inline int lock_foreign(const struct dint_lock_entry *e, __u64 txn)
{
	return e->exclusive && e->holder != txn;
}

/* True when txn holds a shared grant on e, as far as the entry tells (one of several sharers may). */
static __always_inline int lock_holds_shared(const struct dint_lock_entry *e, __u64 txn)
{
	return e->shared && !lock_foreign(e, txn) && (e->sharer == txn || e->sharer == DINT_LOCK_SHARERS);
}

/* True when txn holds e exclusively. */
static __always_inline int lock_holds_exclusive(const struct dint_lock_entry *e, __u64 txn)
{
	return e->exclusive && e->holder == txn;
}

/* A shared grant at now (the lease's start; 0 without leases). */
static __always_inline __u8 lock_shared(struct dint_lock_entry *e, __u64 txn, __u64 now)
{
	if (lock_foreign(e, txn))
		return DINT_ST_REJECT;
	e->sharer = !e->shared || e->sharer == txn ? txn : DINT_LOCK_SHARERS;
	e->shared++;
	e->granted_ns = now;
	return DINT_ST_GRANT;
}

/* An exclusive grant at now (the lease's start; 0 without leases). */
static __always_inline __u8 lock_exclusive(struct dint_lock_entry *e, __u64 txn, __u64 now)
{
	if (lock_foreign(e, txn) || (e->shared && e->sharer != txn))
		return DINT_ST_REJECT;
	e->exclusive++;
	e->holder = txn;
	e->granted_ns = now;
	return DINT_ST_GRANT;
}

static __always_inline __u8 unlock_shared(struct dint_lock_entry *e, __u64 txn)
{
	if (!lock_holds_shared(e, txn))
		return DINT_ST_NOT_HELD;
	if (--e->shared == 0)
		e->sharer = 0;
	return DINT_ST_OK;
}

static __always_inline __u8 unlock_exclusive(struct dint_lock_entry *e, __u64 txn)
{
	if (!lock_holds_exclusive(e, txn))
		return DINT_ST_NOT_HELD;
	if (--e->exclusive == 0)
		e->holder = 0;
	return DINT_ST_OK;
}

/* OCC COMMIT: the writer's release, with a new version of the entry. */
static __always_inline __u8 lock_commit(struct dint_lock_entry *e, __u64 txn)
{
	__u8 status = unlock_exclusive(e, txn);

	if (status == DINT_ST_OK)
		e->version++;
	return status;
}

/*
 * The transaction whose lease on e ran out at now: the one holding every grant of e when no grant
 * came for longer than lease_ns; 0 when the lease holds, leases are off (lease_ns 0), or nobody
 * or several transactions hold e.
 */
static __always_inline __u64 lock_lapsed(const struct dint_lock_entry *e, __u64 now, __u64 lease_ns)
{
	if (!lease_ns || now - e->granted_ns <= lease_ns)
		return 0;
	if (e->exclusive)
		return e->holder; /* its sharer, if any, is the holder too */
	return e->shared && e->sharer != DINT_LOCK_SHARERS ? e->sharer : 0;
}

/* Takes e over from the transaction lock_lapsed named: every grant of it dropped. */
static __always_inline void lock_take_over(struct dint_lock_entry *e)
{
	e->shared = 0;
	e->exclusive = 0;
	e->holder = 0;
	e->sharer = 0;
}

#endif /* DINT_LOCK_RULES_H */
