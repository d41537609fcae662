package io.dint.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Semantics of the user-space lock table; the BPF fixtures hold the kernel to the same. */
class LockTableTest {
    private final LockTable table = new LockTable(LockTable.sizeFor(1000));

    @Test
    void sharedLocksCoexistAndExcludeExclusive() {
        assertThat(table.apply(Op.LOCK_ACQUIRE_SHARED, 7, 1)).isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_SHARED, 7, 2)).isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, 7, 3)).isEqualTo(Status.REJECT);
        assertThat(table.apply(Op.LOCK_RELEASE_SHARED, 7, 1)).isEqualTo(Status.OK);
        assertThat(table.apply(Op.LOCK_RELEASE_SHARED, 7, 2)).isEqualTo(Status.OK);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, 7, 3)).isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_SHARED, 7, 4)).isEqualTo(Status.REJECT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, 7, 4)).isEqualTo(Status.REJECT);
        assertThat(table.apply(Op.LOCK_RELEASE_EXCLUSIVE, 7, 3)).isEqualTo(Status.OK);
        assertThat(table.scan().allFree()).isTrue();
    }

    @Test
    void theExclusiveHolderIsGrantedAgainOnASharedEntry() {
        long a = 11, b = collidingWith(a);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, a, 9)).isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_SHARED, b, 9)).isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, b, 9)).isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_SHARED, b, 8)).isEqualTo(Status.REJECT);
        assertThat(table.apply(Op.LOCK_RELEASE_EXCLUSIVE, b, 9)).isEqualTo(Status.OK);
        assertThat(table.apply(Op.LOCK_RELEASE_SHARED, b, 9)).isEqualTo(Status.OK);
        assertThat(table.apply(Op.LOCK_RELEASE_EXCLUSIVE, a, 9)).isEqualTo(Status.OK);
        assertThat(table.scan().allFree()).isTrue();
    }

    @Test
    void theOnlySharerMayUpgradeAndItsOwnSharedGrantsNeverRejectIt() {
        long a = 21, b = collidingWith(a);
        assertThat(table.apply(Op.LOCK_ACQUIRE_SHARED, a, 3)).isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, b, 3)).as("its own shared grant, another id").isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, a, 3)).as("an upgrade of the same id").isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_SHARED, a, 4)).isEqualTo(Status.REJECT);
        assertThat(table.apply(Op.LOCK_RELEASE_EXCLUSIVE, a, 3)).isEqualTo(Status.OK);
        assertThat(table.apply(Op.LOCK_RELEASE_EXCLUSIVE, b, 3)).isEqualTo(Status.OK);
        assertThat(table.apply(Op.LOCK_ACQUIRE_SHARED, a, 4)).as("only the shared grant left").isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, a, 3)).as("two sharers").isEqualTo(Status.REJECT);
        assertThat(table.apply(Op.LOCK_RELEASE_SHARED, a, 4)).isEqualTo(Status.OK);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, a, 3))
                .as("once several have shared, the entry no longer knows who is left: a false conflict")
                .isEqualTo(Status.REJECT);
        assertThat(table.apply(Op.LOCK_RELEASE_SHARED, a, 3)).isEqualTo(Status.OK);
        assertThat(table.scan().allFree()).isTrue();
    }

    @Test
    void aSharedReleaseIsRefusedToAnyoneButTheOnlySharer() {
        assertThat(table.apply(Op.LOCK_ACQUIRE_SHARED, 8, 1)).isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_RELEASE_SHARED, 8, 2)).isEqualTo(Status.NOT_HELD);
        assertThat(table.apply(Op.LOCK_RELEASE_SHARED, 8, 1)).isEqualTo(Status.OK);
        assertThat(table.scan().allFree()).isTrue();
    }

    @Test
    void releaseRefusesWhatTheCallerDoesNotHold() {
        assertThat(table.apply(Op.LOCK_RELEASE_SHARED, 5, 1)).isEqualTo(Status.NOT_HELD);
        assertThat(table.apply(Op.LOCK_RELEASE_EXCLUSIVE, 5, 1)).isEqualTo(Status.NOT_HELD);
        assertThat(table.apply(Op.LOCK_ACQUIRE_EXCLUSIVE, 5, 1)).isEqualTo(Status.GRANT);
        assertThat(table.apply(Op.LOCK_RELEASE_EXCLUSIVE, 5, 2)).isEqualTo(Status.NOT_HELD);
        assertThat(table.apply(Op.LOCK_RELEASE_SHARED, 5, 2)).isEqualTo(Status.NOT_HELD);
        assertThat(table.apply(Op.LOCK_RELEASE_EXCLUSIVE, 5, 1)).isEqualTo(Status.OK);
    }

    @Test
    void malformedRequestsAreDroppedAndCounted() {
        long[] stats = new long[Stat.MAX];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512);
            assertThat(table.serve(buf, Wire.LOCK_MSG_SIZE - 1, stats)).isEqualTo(-1);
            assertThat(table.serve(buf, Wire.LOCK_MSG_SIZE + 1, stats)).isEqualTo(-1);
            assertThat(table.serve(buf, Wire.MAX_PAYLOAD + 1, stats)).isEqualTo(-1);
            buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Wire.HDR_OP, (byte) Op.MAX);
            assertThat(table.serve(buf, Wire.LOCK_MSG_SIZE, stats)).isEqualTo(-1);
            buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Wire.HDR_OP, (byte) Op.LOCK_ACQUIRE_SHARED);
            buf.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, Wire.LOCK_TXN_ID, 0L);
            assertThat(table.serve(buf, Wire.LOCK_MSG_SIZE, stats)).as("txn 0").isEqualTo(-1);
            buf.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, Wire.LOCK_TXN_ID, Wire.LOCK_SHARERS);
            assertThat(table.serve(buf, Wire.LOCK_MSG_SIZE, stats)).as("txn ~0").isEqualTo(-1);
            buf.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, Wire.LOCK_TXN_ID, 1L);
            buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Wire.HDR_STATUS, (byte) Status.GRANT);
            assertThat(table.serve(buf, Wire.LOCK_MSG_SIZE, stats)).isEqualTo(-1);
        }
        assertThat(stats[Stat.DROP_TRUNCATED]).isEqualTo(1);
        assertThat(stats[Stat.DROP_BAD_LENGTH]).isEqualTo(2);
        assertThat(stats[Stat.DROP_BAD_OP]).isEqualTo(4);
        assertThat(stats[Stat.TX]).isZero();
        assertThat(table.scan().allFree()).isTrue();
    }

    record Step(boolean exclusive, long id, long txn) {}

    @Provide
    Arbitrary<java.util.List<Step>> schedules() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.longs().between(0, 30), Arbitraries.longs().between(1, 4))
                .as(Step::new).list().ofMaxSize(60);
    }

    /** One small table (many ids share entries) for every try: each try leaves it empty, and a table costs its 32 MiB dedup window. */
    private static LockTable small;

    @net.jqwik.api.lifecycle.AfterContainer
    static void closeSmall() {
        if (small != null) {
            small.close();
        }
    }

    /** Whatever the interleaving, the counts stay consistent, and releasing every grant in reverse leaves the table empty. */
    @Property(tries = 300)
    void releasingEveryGrantFreesTheTable(@ForAll("schedules") java.util.List<Step> steps) {
        if (small == null) {
            small = new LockTable(16);
        }
        LockTable t = small;
        {
            java.util.ArrayDeque<Step> granted = new java.util.ArrayDeque<>();
            for (Step s : steps) {
                int st = t.apply(s.exclusive() ? Op.LOCK_ACQUIRE_EXCLUSIVE : Op.LOCK_ACQUIRE_SHARED, s.id(), s.txn());
                assertThat(st).isIn(Status.GRANT, Status.REJECT);
                assertThat(t.scan().inconsistent()).as("after %s", s).isZero();
                if (st == Status.GRANT) {
                    granted.push(s);
                }
            }
            while (!granted.isEmpty()) {
                Step s = granted.pop();
                assertThat(t.apply(s.exclusive() ? Op.LOCK_RELEASE_EXCLUSIVE : Op.LOCK_RELEASE_SHARED, s.id(), s.txn()))
                        .as("release %s", s).isEqualTo(Status.OK);
            }
            assertThat(t.check()).containsEntry("all_free", true);
        }
    }

    private long collidingWith(long a) {
        int idx = io.dint.wire.Hash64.index(a, table.size());
        for (long b = a + 1; ; b++) {
            if (io.dint.wire.Hash64.index(b, table.size()) == idx) {
                return b;
            }
        }
    }

}
