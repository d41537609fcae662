package io.dint.occ;

import static io.dint.wire.Op.OCC_ABORT;
import static io.dint.wire.Op.OCC_ACQUIRE;
import static io.dint.wire.Op.OCC_COMMIT;
import static io.dint.wire.Op.OCC_READ;

import io.dint.testing.Scenario;
import io.dint.wire.Stat;
import java.util.List;


/**
 * The OCC table's rules as scenarios: steps, each a request, its reply read as
 * {@link io.dint.testing.OccMessages#describe} ("GRANT v0 locked mine") and the counter it moves.
 * The kernel program ({@link OccXdpTest}) and the Java table ({@link OccTableTest}) run every
 * scenario. A scenario is written for a key {@link #A} and a key {@code b} that shares its entry.
 */
final class OccScenarios {
    private OccScenarios() {}

    /** The key every scenario works on; {@code b} shares its entry. */
    static final long A = 5;

    /**
     * One step: {@code op} on {@code key} by {@code txn}, answered {@code reply}, moving {@code counter};
     * {@code entry}, when not null, the {spin, version, exclusive grants, holder} the key's entry holds
     * after it (checked where the entry can be read: the kernel's map).
     */
    record Step(String description, int op, long key, long txn, String reply, int counter, long[] entry) {
        Step leaving(long... e) {
            return new Step(description, op, key, txn, reply, counter, e);
        }

        @Override
        public String toString() {
            return description;
        }
    }


    private static Step step(String description, int op, long key, long txn, String reply, int counter) {
        return new Step(description, op, key, txn, reply, counter, null);
    }

    /** Every scenario. */
    static List<Scenario<Step>> all() {
        return List.of(
            new Scenario<>("a read returns the version and the lock bit", b -> List.of(
                step("read of a fresh key", OCC_READ, A, 1, "OK v0", Stat.OCC_READ),
                step("acquire", OCC_ACQUIRE, A, 1, "GRANT v0 locked mine", Stat.OCC_GRANT),
                step("another transaction sees it locked", OCC_READ, A, 2, "OK v0 locked", Stat.OCC_READ),
                step("the owner sees it as its own", OCC_READ, A, 1, "OK v0 locked mine", Stat.OCC_READ),
                step("commit", OCC_COMMIT, A, 1, "OK v1", Stat.OCC_COMMIT),
                step("read after the commit", OCC_READ, A, 2, "OK v1", Stat.OCC_READ).leaving(0, 1, 0, 0))),
            new Scenario<>("an acquire is exclusive and counts the holder's grants", b -> List.of(
                step("acquire", OCC_ACQUIRE, A, 42, "GRANT v0 locked mine", Stat.OCC_GRANT).leaving(0, 0, 1, 42),
                step("acquire by another", OCC_ACQUIRE, A, 43, "REJECT v0 locked", Stat.OCC_REJECT),
                step("the holder again: a second grant", OCC_ACQUIRE, A, 42, "GRANT v0 locked mine", Stat.OCC_GRANT)
                        .leaving(0, 0, 2, 42),
                step("one grant left", OCC_ABORT, A, 42, "OK v0 locked mine", Stat.OCC_ABORT),
                step("ABORT unlocks without a new version", OCC_ABORT, A, 42, "OK v0", Stat.OCC_ABORT),
                step("the other now", OCC_ACQUIRE, A, 43, "GRANT v0 locked mine", Stat.OCC_GRANT))),
            new Scenario<>("only the owner commits or aborts", b -> List.of(
                step("commit of an unlocked entry", OCC_COMMIT, A, 1, "NOT_HELD v0", Stat.OCC_NOT_HELD),
                step("abort of an unlocked entry", OCC_ABORT, A, 1, "NOT_HELD v0", Stat.OCC_NOT_HELD),
                step("acquire", OCC_ACQUIRE, A, 1, "GRANT v0 locked mine", Stat.OCC_GRANT),
                step("commit by another", OCC_COMMIT, A, 2, "NOT_HELD v0 locked", Stat.OCC_NOT_HELD),
                step("abort by another", OCC_ABORT, A, 2, "NOT_HELD v0 locked", Stat.OCC_NOT_HELD).leaving(0, 0, 1, 1),
                step("commit by the owner", OCC_COMMIT, A, 1, "OK v1", Stat.OCC_COMMIT),
                step("a second COMMIT of one grant", OCC_COMMIT, A, 1, "NOT_HELD v1", Stat.OCC_NOT_HELD).leaving(0, 1, 0, 0))),
            new Scenario<>("keys sharing an entry share its lock", b -> List.of(
                step("acquire a", OCC_ACQUIRE, A, 7, "GRANT v0 locked mine", Stat.OCC_GRANT),
                step("same txn, other key, same entry", OCC_ACQUIRE, b, 7, "GRANT v0 locked mine", Stat.OCC_GRANT),
                step("other txn", OCC_ACQUIRE, b, 8, "REJECT v0 locked", Stat.OCC_REJECT),
                step("read of b by the other", OCC_READ, b, 8, "OK v0 locked", Stat.OCC_READ),
                step("b still holds the entry", OCC_COMMIT, A, 7, "OK v1 locked mine", Stat.OCC_COMMIT),
                step("nothing exposed before b commits", OCC_READ, A, 8, "OK v1 locked", Stat.OCC_READ),
                step("commit b", OCC_COMMIT, b, 7, "OK v2", Stat.OCC_COMMIT).leaving(0, 2, 0, 0))));
    }
}
