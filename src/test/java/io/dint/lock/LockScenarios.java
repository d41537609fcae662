package io.dint.lock;

import io.dint.testing.Scenario;
import java.util.Arrays;
import java.util.List;

/**
 * The 2PL lock table's rules as scenarios: steps, each a request and the status it must get. The
 * Java table ({@link LockTableTest}) and the kernel program ({@link Lock2plXdpTest}) run every
 * scenario, so both are held to the same examples. A scenario is written for an id {@code a}
 * and an id {@code b} that shares {@code a}'s entry in the table it runs on.
 *
 * <p>A table row ({@link Scenario#table}): what the step does | op, id and transaction | the status
 * it must get | optionally the {spin, shared, exclusive, holder} the id's entry holds after it, or
 * {@code free}.
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
        @Override
        public String toString() {
            return description;
        }
    }

    /** True when the last step leaves nothing held. */
    static boolean endsFree(List<Step> steps) {
        return Arrays.equals(steps.getLast().entry(), FREE);
    }

    /** The id every scenario locks; {@code b} shares its entry. */
    static final long A = 5;

    private static Scenario<Step> table(String name, String rows) {
        return Scenario.table(name, A, rows, LockScenarios::step);
    }

    private static Step step(Scenario.Row r) {
        String[] q = r.words(1, 3, 3);
        long[] entry = !r.has(3) ? null : r.cell(3).equals("free") ? FREE : r.numbers(3);
        if (entry != null && entry.length != FREE.length) {
            throw r.bad("an entry is {spin, shared, exclusive, holder}, or free");
        }
        return new Step(r.description(), r.op(q[0]), r.id(q[1]), r.number(q[2]), r.status(r.cell(2)), entry);
    }

    /** Every scenario. */
    static List<Scenario<Step>> all() {
        return List.of(
            table("shared grants coexist and exclude exclusive", """
                a first sharer             | lock_acquire_shared a 1    | GRANT
                a second sharer            | lock_acquire_shared a 2    | GRANT  | 0 2 0 0
                exclusive while shared     | lock_acquire_exclusive a 3 | REJECT | 0 2 0 0
                the first sharer releases  | lock_release_shared a 1    | OK
                the second sharer releases | lock_release_shared a 2    | OK     | free
                exclusive once free        | lock_acquire_exclusive a 3 | GRANT
                shared while exclusive     | lock_acquire_shared a 4    | REJECT
                exclusive while exclusive  | lock_acquire_exclusive a 4 | REJECT
                the holder releases        | lock_release_exclusive a 3 | OK     | free
                """),
            table("an exclusive grant records its holder", """
                exclusive            | lock_acquire_exclusive a 42 | GRANT  | 0 0 1 42
                shared by another    | lock_acquire_shared a 43    | REJECT
                exclusive by another | lock_acquire_exclusive a 43 | REJECT
                the holder releases  | lock_release_exclusive a 42 | OK     | free
                the other now        | lock_acquire_exclusive a 43 | GRANT
                """),
            table("lock sharing grants the exclusive holder a shared lock again", """
                exclusive on a                 | lock_acquire_exclusive a 7 | GRANT
                same txn, other id, same entry | lock_acquire_shared b 7    | GRANT
                other txn                      | lock_acquire_shared b 8    | REJECT | 0 1 1 7
                shared release of b            | lock_release_shared b 7    | OK
                exclusive release of a         | lock_release_exclusive a 7 | OK     | free
                """),
            table("the exclusive holder is granted again on a shared entry", """
                exclusive on a              | lock_acquire_exclusive a 9 | GRANT
                shared on b, the same entry | lock_acquire_shared b 9    | GRANT
                exclusive on b as well      | lock_acquire_exclusive b 9 | GRANT
                another transaction         | lock_acquire_shared b 8    | REJECT
                exclusive release of b      | lock_release_exclusive b 9 | OK
                shared release of b         | lock_release_shared b 9    | OK
                exclusive release of a      | lock_release_exclusive a 9 | OK     | free
                """),
            table("a transaction's own shared grants never reject it", """
                shared on a                    | lock_acquire_shared a 7    | GRANT
                same txn, other id, same entry | lock_acquire_exclusive b 7 | GRANT
                the only sharer upgrades       | lock_acquire_exclusive a 7 | GRANT
                another sharer                 | lock_acquire_shared a 8    | REJECT   | 0 1 2 7
                exclusive release of a         | lock_release_exclusive a 7 | OK
                exclusive release of b         | lock_release_exclusive b 7 | OK
                not a sharer                   | lock_release_shared a 8    | NOT_HELD
                shared release of a            | lock_release_shared a 7    | OK       | free
                """),
            table("only the only sharer may upgrade", """
                shared on a                                             | lock_acquire_shared a 3    | GRANT
                its own shared grant, another id                        | lock_acquire_exclusive b 3 | GRANT
                an upgrade of the same id                               | lock_acquire_exclusive a 3 | GRANT
                another sharer                                          | lock_acquire_shared a 4    | REJECT
                exclusive release of a                                  | lock_release_exclusive a 3 | OK
                exclusive release of b                                  | lock_release_exclusive b 3 | OK
                only the shared grant left                              | lock_acquire_shared a 4    | GRANT
                two sharers                                             | lock_acquire_exclusive a 3 | REJECT
                one sharer leaves                                       | lock_release_shared a 4    | OK
                a false conflict: the entry no longer knows who is left | lock_acquire_exclusive a 3 | REJECT
                the last sharer leaves                                  | lock_release_shared a 3    | OK     | free
                """),
            table("a shared release is refused to anyone but the only sharer", """
                shared                       | lock_acquire_shared a 1 | GRANT
                shared release by another    | lock_release_shared a 2 | NOT_HELD
                shared release by the sharer | lock_release_shared a 1 | OK       | free
                """),
            table("release refuses what the caller does not hold", """
                shared release of a free entry    | lock_release_shared a 1    | NOT_HELD
                exclusive release of a free entry | lock_release_exclusive a 1 | NOT_HELD
                exclusive                         | lock_acquire_exclusive a 1 | GRANT
                exclusive release by another      | lock_release_exclusive a 2 | NOT_HELD
                shared release by another         | lock_release_shared a 2    | NOT_HELD | 0 0 1 1
                exclusive release by the holder   | lock_release_exclusive a 1 | OK       | free
                """));
    }
}
