package io.dint.occ;

import io.dint.testing.Scenario;
import java.util.List;

/**
 * The OCC table's rules as scenarios: steps, each a request, its reply read as
 * {@link io.dint.testing.OccMessages#describe} ("GRANT v0 locked mine") and the counter it moves.
 * The kernel program ({@link OccXdpTest}) and the Java table ({@link OccTableTest}) run every
 * scenario. A scenario is written for a key {@link #A} and a key {@code b} that shares its entry.
 *
 * <p>A table row ({@link Scenario#table}): what the step does | op, key and transaction | the reply
 * | the counter it moves | optionally the {spin, version, exclusive grants, holder} the key's
 * entry holds after it.
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
        @Override
        public String toString() {
            return description;
        }
    }

    private static Scenario<Step> table(String name, String rows) {
        return Scenario.table(name, A, rows, OccScenarios::step);
    }

    private static Step step(Scenario.Row r) {
        String[] q = r.words(1, 3, 3);
        long[] entry = r.has(4) ? r.numbers(4) : null;
        if (entry != null && entry.length != 4) {
            throw r.bad("an entry is {spin, version, exclusive grants, holder}");
        }
        return new Step(r.description(), r.op(q[0]), r.id(q[1]), r.number(q[2]), r.cell(2), r.stat(r.cell(3)), entry);
    }

    /** Every scenario. */
    static List<Scenario<Step>> all() {
        return List.of(
            table("a read returns the version and the lock bit", """
                read of a fresh key                | occ_read a 1    | OK v0                | occ_read
                acquire                            | occ_acquire a 1 | GRANT v0 locked mine | occ_grant
                another transaction sees it locked | occ_read a 2    | OK v0 locked         | occ_read
                the owner sees it as its own       | occ_read a 1    | OK v0 locked mine    | occ_read
                commit                             | occ_commit a 1  | OK v1                | occ_commit
                read after the commit              | occ_read a 2    | OK v1                | occ_read   | 0 1 0 0
                """),
            table("an acquire is exclusive and counts the holder's grants", """
                acquire                             | occ_acquire a 42 | GRANT v0 locked mine | occ_grant  | 0 0 1 42
                acquire by another                  | occ_acquire a 43 | REJECT v0 locked     | occ_reject
                the holder again: a second grant    | occ_acquire a 42 | GRANT v0 locked mine | occ_grant  | 0 0 2 42
                one grant left                      | occ_abort a 42   | OK v0 locked mine    | occ_abort
                ABORT unlocks without a new version | occ_abort a 42   | OK v0                | occ_abort
                the other now                       | occ_acquire a 43 | GRANT v0 locked mine | occ_grant
                """),
            table("only the owner commits or aborts", """
                commit of an unlocked entry  | occ_commit a 1  | NOT_HELD v0          | occ_not_held
                abort of an unlocked entry   | occ_abort a 1   | NOT_HELD v0          | occ_not_held
                acquire                      | occ_acquire a 1 | GRANT v0 locked mine | occ_grant
                commit by another            | occ_commit a 2  | NOT_HELD v0 locked   | occ_not_held
                abort by another             | occ_abort a 2   | NOT_HELD v0 locked   | occ_not_held | 0 0 1 1
                commit by the owner          | occ_commit a 1  | OK v1                | occ_commit
                a second COMMIT of one grant | occ_commit a 1  | NOT_HELD v1          | occ_not_held | 0 1 0 0
                """),
            table("keys sharing an entry share its lock", """
                acquire a                        | occ_acquire a 7 | GRANT v0 locked mine | occ_grant
                same txn, other key, same entry  | occ_acquire b 7 | GRANT v0 locked mine | occ_grant
                other txn                        | occ_acquire b 8 | REJECT v0 locked     | occ_reject
                read of b by the other           | occ_read b 8    | OK v0 locked         | occ_read
                b still holds the entry          | occ_commit a 7  | OK v1 locked mine    | occ_commit
                nothing exposed before b commits | occ_read a 8    | OK v1 locked         | occ_read
                commit b                         | occ_commit b 7  | OK v2                | occ_commit | 0 2 0 0
                """));
    }
}
