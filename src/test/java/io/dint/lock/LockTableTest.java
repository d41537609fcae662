package io.dint.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.testing.LockEntries;
import io.dint.testing.PerContainer;
import io.dint.testing.Scenario;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Semantics of the user-space lock table; Lock2plXdpTest runs the same scenarios on the kernel program. */
class LockTableTest {
    private final LockTable table = new LockTable(LockTable.sizeFor(1000));

    /** Every scenario of the lock rules, step by step: each status, and nothing held where it ends free. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.dint.lock.LockScenarios#all")
    void scenario(Scenario<LockScenarios.Step> scenario) {
        List<LockScenarios.Step> steps = scenario.with(LockEntries.sharing(LockScenarios.A, table.size()));
        for (LockScenarios.Step s : steps) {
            assertThat(table.apply(s.op(), s.lockId(), s.txn())).as(s.description()).isEqualTo(s.status());
        }
        if (LockScenarios.endsFree(steps)) {
            assertThat(table.scan().allFree()).isTrue();
        }
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

    /** One small table (many ids share entries) for every try: each try leaves it empty. */
    private static final PerContainer<LockTable> SMALL = new PerContainer<>(() -> new LockTable(16));

    @AfterContainer
    static void closeSmall() throws Exception {
        SMALL.close();
    }

    /** Whatever the interleaving, the counts stay consistent, and releasing every grant in reverse leaves the table empty. */
    @Property(tries = 300)
    void releasingEveryGrantFreesTheTable(@ForAll("schedules") java.util.List<Step> steps) {
        LockTable t = SMALL.get();
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
}
