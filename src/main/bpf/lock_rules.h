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

static __always_inline __u8 lock_shared(struct dint_lock_entry *e, __u64 txn)
{
	if (lock_foreign(e, txn))
		return DINT_ST_REJECT;
	e->sharer = !e->shared || e->sharer == txn ? txn : DINT_LOCK_SHARERS;
	e->shared++;
	return DINT_ST_GRANT;
}

static __always_inline __u8 lock_exclusive(struct dint_lock_entry *e, __u64 txn)
{
	if (lock_foreign(e, txn) || (e->shared && e->sharer != txn))
		return DINT_ST_REJECT;
	e->exclusive++;
	e->holder = txn;
	return DINT_ST_GRANT;
}

static __always_inline __u8 unlock_shared(struct dint_lock_entry *e, __u64 txn)
{
	if (!e->shared || lock_foreign(e, txn) || (e->sharer != txn && e->sharer != DINT_LOCK_SHARERS))
		return DINT_ST_NOT_HELD;
	if (--e->shared == 0)
		e->sharer = 0;
	return DINT_ST_OK;
}

static __always_inline __u8 unlock_exclusive(struct dint_lock_entry *e, __u64 txn)
{
	if (!e->exclusive || e->holder != txn)
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

#endif /* DINT_LOCK_RULES_H */
