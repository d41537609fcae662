package io.dint.lock;

import static io.dint.wire.Wire.LOCK_ENTRY_EXCLUSIVE;
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

    /** A shared grant to {@code txn}. */
    public static int shared(MemorySegment t, long e, long txn) {
        if (foreign(t, e, txn)) {
            return Status.REJECT;
        }
        int shared = t.get(JAVA_INT, e + LOCK_ENTRY_SHARED);
        long sharer = t.get(JAVA_LONG, e + LOCK_ENTRY_SHARER);
        t.set(JAVA_LONG, e + LOCK_ENTRY_SHARER, shared == 0 || sharer == txn ? txn : LOCK_SHARERS);
        t.set(JAVA_INT, e + LOCK_ENTRY_SHARED, shared + 1);
        return Status.GRANT;
    }

    /** An exclusive grant to {@code txn} (the 2PL exclusive lock, the OCC lock). */
    public static int exclusive(MemorySegment t, long e, long txn) {
        if (foreign(t, e, txn)
                || (t.get(JAVA_INT, e + LOCK_ENTRY_SHARED) != 0 && t.get(JAVA_LONG, e + LOCK_ENTRY_SHARER) != txn)) {
            return Status.REJECT;
        }
        t.set(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE, t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE) + 1);
        t.set(JAVA_LONG, e + LOCK_ENTRY_HOLDER, txn);
        return Status.GRANT;
    }

    /** Releases one shared grant of {@code txn}. */
    public static int unlockShared(MemorySegment t, long e, long txn) {
        int shared = t.get(JAVA_INT, e + LOCK_ENTRY_SHARED);
        long sharer = t.get(JAVA_LONG, e + LOCK_ENTRY_SHARER);
        if (shared == 0 || foreign(t, e, txn) || (sharer != txn && sharer != LOCK_SHARERS)) {
            return Status.NOT_HELD;
        }
        t.set(JAVA_INT, e + LOCK_ENTRY_SHARED, shared - 1);
        if (shared == 1) {
            t.set(JAVA_LONG, e + LOCK_ENTRY_SHARER, 0L);
        }
        return Status.OK;
    }

    /** Releases one exclusive grant of {@code txn} (2PL release, OCC abort). */
    public static int unlockExclusive(MemorySegment t, long e, long txn) {
        int exclusive = t.get(JAVA_INT, e + LOCK_ENTRY_EXCLUSIVE);
        if (exclusive == 0 || t.get(JAVA_LONG, e + LOCK_ENTRY_HOLDER) != txn) {
            return Status.NOT_HELD;
        }
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
