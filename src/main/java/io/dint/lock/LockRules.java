package io.dint.lock;

import static io.dint.wire.Wire.LOCK_ENTRY_EXCLUSIVE;
import static io.dint.wire.Wire.LOCK_ENTRY_GRANTED_NS;
import static io.dint.wire.Wire.LOCK_ENTRY_HOLDER;
import static io.dint.wire.Wire.LOCK_ENTRY_SHARED;
import static io.dint.wire.Wire.LOCK_ENTRY_SHARER;
import static io.dint.wire.Wire.LOCK_ENTRY_SPIN;
import static io.dint.wire.Wire.LOCK_ENTRY_VERSION;
import static io.dint.wire.Wire.LOCK_SHARERS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * The lock rules of every lock table in user space ({@link LockTable}, {@code OccTable},
 * {@code ShardStore}), the twin of {@code lock_rules.h}: each method works on one {@code struct
 * dint_lock_entry} at offset {@code e} of {@code t}, whose spin word the caller holds, and returns
 * the reply's {@link Status}.
 *
 * <p>2PL, no-wait: shared is granted unless another transaction holds the entry exclusively;
 * exclusive when nobody else holds it (the only sharer may upgrade; a transaction's own grants
 * never reject it); a release is refused (NOT_HELD) to a caller the entry does not name. Every
 * grant is counted and released once, because keys are hashed and one transaction may hold several
 * keys of one entry. An entry shared by several transactions forgets which of them are left until
 * the last one releases, so an upgrade there is refused: a false conflict, never a missed one.
 * OCC uses the exclusive grant as its lock; a commit is a release that bumps the entry's version.
 *
 * <p>Leases (a shard's locks; the lock services grant at time 0 and never take over): every grant
 * starts the entry's lease. A conflicting request may take the entry over ({@link #takeOver}) once
 * the lease ran out and one transaction holds every grant ({@link #lapsed}); an entry shared by
 * several is never taken over. A transaction whose grants were taken over holds nothing
 * ({@link #holdsShared}, {@link #holdsExclusive}): its release is refused.
 */
public final class LockRules {
    private LockRules() {}

    /** True when a request may name {@code txn}: 0 means no holder, {@link io.dint.wire.Wire#LOCK_SHARERS} several sharers. */
    public static boolean txnOk(long txn) {
        return txn != 0 && txn != LOCK_SHARERS;
    }

    /** True when a transaction other than {@code txn} holds the entry exclusively. */
    public static boolean foreign(MemorySegment t, long e, long txn) {
        return t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE) != 0 && t.get(JAVA_LONG, e + LOCK_ENTRY_HOLDER) != txn;
    }

    /** True when the entry is held exclusively by anyone. */
    public static boolean locked(MemorySegment t, long e) {
        return t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE) != 0;
    }

    /** True when the entry has any grant. */
    public static boolean held(MemorySegment t, long e) {
        return t.get(JAVA_INT, e + LOCK_ENTRY_SHARED) != 0 || t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE) != 0;
    }

    /** True when {@code txn} holds a shared grant on the entry, as far as it tells (one of several sharers may). */
    public static boolean holdsShared(MemorySegment t, long e, long txn) {
        long sharer = t.get(JAVA_LONG, e + LOCK_ENTRY_SHARER);
        return t.get(JAVA_INT, e + LOCK_ENTRY_SHARED) != 0 && !foreign(t, e, txn) && (sharer == txn || sharer == LOCK_SHARERS);
    }

    /** True when {@code txn} holds the entry exclusively. */
    public static boolean holdsExclusive(MemorySegment t, long e, long txn) {
        return t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE) != 0 && t.get(JAVA_LONG, e + LOCK_ENTRY_HOLDER) == txn;
    }

    /** A shared grant to {@code txn} at {@code now} (ns; where its lease starts, 0 without leases). */
    public static int shared(MemorySegment t, long e, long txn, long now) {
        if (foreign(t, e, txn)) {
            return Status.REJECT;
        }
        int shared = t.get(JAVA_INT, e + LOCK_ENTRY_SHARED);
        long sharer = t.get(JAVA_LONG, e + LOCK_ENTRY_SHARER);
        t.set(JAVA_LONG, e + LOCK_ENTRY_SHARER, shared == 0 || sharer == txn ? txn : LOCK_SHARERS);
        t.set(JAVA_INT, e + LOCK_ENTRY_SHARED, shared + 1);
        t.set(JAVA_LONG, e + LOCK_ENTRY_GRANTED_NS, now);
        return Status.GRANT;
    }

    /**
     * An exclusive grant to {@code txn} (the 2PL exclusive lock, the OCC lock) at {@code now} (ns;
     * where its lease starts, 0 without leases).
     */
    public static int exclusive(MemorySegment t, long e, long txn, long now) {
        if (foreign(t, e, txn)
                || (t.get(JAVA_INT, e + LOCK_ENTRY_SHARED) != 0 && t.get(JAVA_LONG, e + LOCK_ENTRY_SHARER) != txn)) {
            return Status.REJECT;
        }
        t.set(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE, t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE) + 1);
        t.set(JAVA_LONG, e + LOCK_ENTRY_HOLDER, txn);
        t.set(JAVA_LONG, e + LOCK_ENTRY_GRANTED_NS, now);
        return Status.GRANT;
    }

    /** Releases one shared grant of {@code txn}. */
    public static int unlockShared(MemorySegment t, long e, long txn) {
        if (!holdsShared(t, e, txn)) {
            return Status.NOT_HELD;
        }
        int shared = t.get(JAVA_INT, e + LOCK_ENTRY_SHARED);
        t.set(JAVA_INT, e + LOCK_ENTRY_SHARED, shared - 1);
        if (shared == 1) {
            t.set(JAVA_LONG, e + LOCK_ENTRY_SHARER, 0L);
        }
        return Status.OK;
    }

    /** Releases one exclusive grant of {@code txn} (2PL release, OCC abort). */
    public static int unlockExclusive(MemorySegment t, long e, long txn) {
        if (!holdsExclusive(t, e, txn)) {
            return Status.NOT_HELD;
        }
        int exclusive = t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE);
        t.set(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE, exclusive - 1);
        if (exclusive == 1) {
            t.set(JAVA_LONG, e + LOCK_ENTRY_HOLDER, 0L);
        }
        return Status.OK;
    }

    /** OCC commit: the writer's release, with a new version of the entry. */
    public static int commit(MemorySegment t, long e, long txn) {
        int status = unlockExclusive(t, e, txn);
        if (status == Status.OK) {
            t.set(JAVA_INT, e + LOCK_ENTRY_VERSION, t.get(JAVA_INT, e + LOCK_ENTRY_VERSION) + 1);
        }
        return status;
    }

    /**
     * The transaction whose lease on the entry ran out at {@code now}: the one holding every grant
     * when none came for longer than {@code leaseNs}; 0 when the lease holds, leases are off
     * ({@code leaseNs} 0), or nobody or several transactions hold the entry.
     */
    public static long lapsed(MemorySegment t, long e, long now, long leaseNs) {
        if (leaseNs == 0 || Long.compareUnsigned(now - t.get(JAVA_LONG, e + LOCK_ENTRY_GRANTED_NS), leaseNs) <= 0) {
            return 0;
        }
        if (t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE) != 0) {
            return t.get(JAVA_LONG, e + LOCK_ENTRY_HOLDER); // its sharer, if any, is the holder too
        }
        long sharer = t.get(JAVA_LONG, e + LOCK_ENTRY_SHARER);
        return t.get(JAVA_INT, e + LOCK_ENTRY_SHARED) != 0 && sharer != LOCK_SHARERS ? sharer : 0;
    }

    /** Takes the entry over from the transaction {@link #lapsed} named: every grant of it dropped. */
    public static void takeOver(MemorySegment t, long e) {
        t.set(JAVA_INT, e + LOCK_ENTRY_SHARED, 0);
        t.set(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE, 0);
        t.set(JAVA_LONG, e + LOCK_ENTRY_HOLDER, 0L);
        t.set(JAVA_LONG, e + LOCK_ENTRY_SHARER, 0L);
    }

    /**
     * What is wrong with the entry's counts and names, or null when they agree with the rules:
     * a holder exactly while there are exclusive grants, a sharer exactly while there are shared
     * ones, and while both kinds are held one transaction holding all of them. The spin word is
     * not looked at; {@link #spinning} does that.
     */
    public static String inconsistency(MemorySegment t, long e) {
        int shared = t.get(JAVA_INT, e + LOCK_ENTRY_SHARED);
        int exclusive = t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE);
        long holder = t.get(JAVA_LONG, e + LOCK_ENTRY_HOLDER);
        long sharer = t.get(JAVA_LONG, e + LOCK_ENTRY_SHARER);
        if ((exclusive == 0) != (holder == 0)) {
            return exclusive + " exclusive grants with holder " + Long.toHexString(holder);
        }
        if ((shared == 0) != (sharer == 0)) {
            return shared + " shared grants with sharer " + Long.toHexString(sharer);
        }
        if (exclusive != 0 && shared != 0 && sharer != holder) {
            return "exclusive holder " + Long.toHexString(holder) + " beside sharer " + Long.toHexString(sharer);
        }
        return null;
    }

    /** True when the entry's spin word is taken. */
    public static boolean spinning(MemorySegment t, long e) {
        return t.get(JAVA_INT, e + LOCK_ENTRY_SPIN) != 0;
    }
}
