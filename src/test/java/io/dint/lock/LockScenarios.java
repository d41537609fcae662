package io.dint.lock;

import static io.dint.wire.Op.LOCK_ACQUIRE_EXCLUSIVE;
import static io.dint.wire.Op.LOCK_ACQUIRE_SHARED;
import static io.dint.wire.Op.LOCK_RELEASE_EXCLUSIVE;
import static io.dint.wire.Op.LOCK_RELEASE_SHARED;
import static io.dint.wire.Status.GRANT;
import static io.dint.wire.Status.NOT_HELD;
import static io.dint.wire.Status.OK;
import static io.dint.wire.Status.REJECT;

import io.dint.testing.Scenario;
import java.util.List;


/**
 * The 2PL lock table's rules as scenarios: steps, each a request and the status it must get. The
 * Java table ({@link LockTableTest}) and the kernel program ({@link Lock2plXdpTest}) run every
 * scenario, so both are held to the same examples. A scenario is written for an id {@code a}
 * and an id {@code b} that shares {@code a}'s entry in the table it runs on.
 */
final class LockScenarios {
    private LockScenarios() {}

    /** The {spin, shared, exclusive, holder} of an entry nobody holds. */
    static final long[] FREE = {0, 0, 0, 0};

    /**
     * One step: {@code op} of {@code lockId} by {@code txn} answered {@code status}; {@code entry}, when
     * not null, the {spin, shared, exclusive, holder} the id's entry holds after it (checked where the
     * entry can be read: the kernel's map). A last step leaving {@link #FREE} says nothing is held.
     */
    record Step(String description, int op, long lockId, long txn, int status, long[] entry) {
        Step leaving(long... e) {
            return new Step(description, op, lockId, txn, status, e);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** True when the last step leaves nothing held. */
    static boolean endsFree(List<Step> steps) {
        return java.util.Arrays.equals(steps.getLast().entry(), FREE);
    }

    /** The id every scenario locks; {@code b} shares its entry. */
    static final long A = 5;

    private static Step step(String description, int op, long lockId, long txn, int status) {
        return new Step(description, op, lockId, txn, status, null);
    }

    /** Every scenario. */
    static List<Scenario<Step>> all() {
        return List.of(
            new Scenario<>("shared grants coexist and exclude exclusive", b -> List.of(
                step("a first sharer", LOCK_ACQUIRE_SHARED, A, 1, GRANT),
                step("a second sharer", LOCK_ACQUIRE_SHARED, A, 2, GRANT).leaving(0, 2, 0, 0),
                step("exclusive while shared", LOCK_ACQUIRE_EXCLUSIVE, A, 3, REJECT).leaving(0, 2, 0, 0),
                step("the first sharer releases", LOCK_RELEASE_SHARED, A, 1, OK),
                step("the second sharer releases", LOCK_RELEASE_SHARED, A, 2, OK).leaving(FREE),
                step("exclusive once free", LOCK_ACQUIRE_EXCLUSIVE, A, 3, GRANT),
                step("shared while exclusive", LOCK_ACQUIRE_SHARED, A, 4, REJECT),
                step("exclusive while exclusive", LOCK_ACQUIRE_EXCLUSIVE, A, 4, REJECT),
                step("the holder releases", LOCK_RELEASE_EXCLUSIVE, A, 3, OK).leaving(FREE))),
            new Scenario<>("an exclusive grant records its holder", b -> List.of(
                step("exclusive", LOCK_ACQUIRE_EXCLUSIVE, A, 42, GRANT).leaving(0, 0, 1, 42),
                step("shared by another", LOCK_ACQUIRE_SHARED, A, 43, REJECT),
                step("exclusive by another", LOCK_ACQUIRE_EXCLUSIVE, A, 43, REJECT),
                step("the holder releases", LOCK_RELEASE_EXCLUSIVE, A, 42, OK).leaving(FREE),
                step("the other now", LOCK_ACQUIRE_EXCLUSIVE, A, 43, GRANT))),
            new Scenario<>("lock sharing grants the exclusive holder a shared lock again", b -> List.of(
                step("exclusive on a", LOCK_ACQUIRE_EXCLUSIVE, A, 7, GRANT),
                step("same txn, other id, same entry", LOCK_ACQUIRE_SHARED, b, 7, GRANT),
                step("other txn", LOCK_ACQUIRE_SHARED, b, 8, REJECT).leaving(0, 1, 1, 7),
                step("shared release of b", LOCK_RELEASE_SHARED, b, 7, OK),
                step("exclusive release of a", LOCK_RELEASE_EXCLUSIVE, A, 7, OK).leaving(FREE))),
            new Scenario<>("the exclusive holder is granted again on a shared entry", b -> List.of(
                step("exclusive on a", LOCK_ACQUIRE_EXCLUSIVE, A, 9, GRANT),
                step("shared on b, the same entry", LOCK_ACQUIRE_SHARED, b, 9, GRANT),
                step("exclusive on b as well", LOCK_ACQUIRE_EXCLUSIVE, b, 9, GRANT),
                step("another transaction", LOCK_ACQUIRE_SHARED, b, 8, REJECT),
                step("exclusive release of b", LOCK_RELEASE_EXCLUSIVE, b, 9, OK),
                step("shared release of b", LOCK_RELEASE_SHARED, b, 9, OK),
                step("exclusive release of a", LOCK_RELEASE_EXCLUSIVE, A, 9, OK).leaving(FREE))),
            new Scenario<>("a transaction's own shared grants never reject it", b -> List.of(
                step("shared on a", LOCK_ACQUIRE_SHARED, A, 7, GRANT),
                step("same txn, other id, same entry", LOCK_ACQUIRE_EXCLUSIVE, b, 7, GRANT),
                step("the only sharer upgrades", LOCK_ACQUIRE_EXCLUSIVE, A, 7, GRANT),
                step("another sharer", LOCK_ACQUIRE_SHARED, A, 8, REJECT).leaving(0, 1, 2, 7),
                step("exclusive release of a", LOCK_RELEASE_EXCLUSIVE, A, 7, OK),
                step("exclusive release of b", LOCK_RELEASE_EXCLUSIVE, b, 7, OK),
                step("not a sharer", LOCK_RELEASE_SHARED, A, 8, NOT_HELD),
                step("shared release of a", LOCK_RELEASE_SHARED, A, 7, OK).leaving(FREE))),
            new Scenario<>("only the only sharer may upgrade", b -> List.of(
                step("shared on a", LOCK_ACQUIRE_SHARED, A, 3, GRANT),
                step("its own shared grant, another id", LOCK_ACQUIRE_EXCLUSIVE, b, 3, GRANT),
                step("an upgrade of the same id", LOCK_ACQUIRE_EXCLUSIVE, A, 3, GRANT),
                step("another sharer", LOCK_ACQUIRE_SHARED, A, 4, REJECT),
                step("exclusive release of a", LOCK_RELEASE_EXCLUSIVE, A, 3, OK),
                step("exclusive release of b", LOCK_RELEASE_EXCLUSIVE, b, 3, OK),
                step("only the shared grant left", LOCK_ACQUIRE_SHARED, A, 4, GRANT),
                step("two sharers", LOCK_ACQUIRE_EXCLUSIVE, A, 3, REJECT),
                step("one sharer leaves", LOCK_RELEASE_SHARED, A, 4, OK),
                step("once several have shared, the entry no longer knows who is left: a false conflict",
                        LOCK_ACQUIRE_EXCLUSIVE, A, 3, REJECT),
                step("the last sharer leaves", LOCK_RELEASE_SHARED, A, 3, OK).leaving(FREE))),
            new Scenario<>("a shared release is refused to anyone but the only sharer", b -> List.of(
                step("shared", LOCK_ACQUIRE_SHARED, A, 1, GRANT),
                step("shared release by another", LOCK_RELEASE_SHARED, A, 2, NOT_HELD),
                step("shared release by the sharer", LOCK_RELEASE_SHARED, A, 1, OK).leaving(FREE))),
            new Scenario<>("release refuses what the caller does not hold", b -> List.of(
                step("shared release of a free entry", LOCK_RELEASE_SHARED, A, 1, NOT_HELD),
                step("exclusive release of a free entry", LOCK_RELEASE_EXCLUSIVE, A, 1, NOT_HELD),
                step("exclusive", LOCK_ACQUIRE_EXCLUSIVE, A, 1, GRANT),
                step("exclusive release by another", LOCK_RELEASE_EXCLUSIVE, A, 2, NOT_HELD),
                step("shared release by another", LOCK_RELEASE_SHARED, A, 2, NOT_HELD).leaving(0, 0, 1, 1),
                step("exclusive release by the holder", LOCK_RELEASE_EXCLUSIVE, A, 1, OK).leaving(FREE))));
    }
}
