package io.dint.occ;

import static io.dint.testing.OccMessages.describe;
import static io.dint.testing.OccMessages.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.testing.LockEntries;
import io.dint.testing.PerContainer;
import io.dint.testing.Scenario;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
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

/** The user-space OCC table on its own: input checks and invariants; OccXdpTest holds it to the kernel. */
class OccTableTest {
    private final long[] stats = new long[Stat.MAX];

    private static byte[] serve(OccTable t, byte[] req, long[] stats) {
        byte[] buf = java.util.Arrays.copyOf(req, Wire.MAX_PAYLOAD + 1);
        int n = t.serve(MemorySegment.ofArray(buf), req.length, stats);
        return n < 0 ? null : java.util.Arrays.copyOf(buf, n);
    }

    /** Every scenario of the OCC rules, step by step: each reply and the counter it moves, as OccXdpTest holds the kernel to. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.dint.occ.OccScenarios#all")
    void scenario(Scenario<OccScenarios.Step> scenario) {
        try (OccTable t = new OccTable(64)) {
            long[] counts = new long[Stat.MAX];
            long n = 0;
            for (OccScenarios.Step s : scenario.with(LockEntries.sharing(OccScenarios.A, 64))) {
                long before = counts[s.counter()];
                assertThat(describe(serve(t, request(s.op(), s.key(), s.txn(), ++n), counts))).as(s.description()).isEqualTo(s.reply());
                assertThat(counts[s.counter()] - before).as("%s: counted", s.description()).isEqualTo(1);
            }
        }
    }

    @Test
    void malformedRequestsAreDroppedAndCountedAsTheKernelDoes() {
        try (OccTable t = new OccTable(64)) {
            byte[] req = request(Op.OCC_ACQUIRE, 5, 1, 1);
            assertThat(serve(t, java.util.Arrays.copyOf(req, req.length - 1), stats)).isNull();
            assertThat(serve(t, java.util.Arrays.copyOf(req, req.length + 1), stats)).isNull();
            assertThat(serve(t, java.util.Arrays.copyOf(req, Wire.MAX_PAYLOAD + 1), stats)).isNull();
            assertThat(serve(t, request(Op.OCC_ACQUIRE, 5, 0, 1), stats)).as("txn 0").isNull();
            assertThat(serve(t, request(Op.OCC_ACQUIRE, 5, Wire.LOCK_SHARERS, 1), stats)).as("txn ~0").isNull();
            assertThat(serve(t, request(Op.OCC_COMMIT + 1, 5, 1, 1), stats)).isNull();
            assertThat(serve(t, request(Op.LOCK_ACQUIRE_SHARED, 5, 1, 1), stats)).isNull();
            byte[] reply = req.clone();
            reply[Wire.HDR_STATUS] = (byte) Status.GRANT;
            assertThat(serve(t, reply, stats)).isNull();
            assertThat(stats[Stat.RX]).isEqualTo(8);
            assertThat(stats[Stat.DROP_TRUNCATED]).isEqualTo(1);
            assertThat(stats[Stat.DROP_BAD_LENGTH]).isEqualTo(2);
            assertThat(stats[Stat.DROP_BAD_OP]).isEqualTo(5);
            assertThat(stats[Stat.TX]).isZero();
            assertThat(t.scan()).isEqualTo(new OccTableCheck(64, 0, 0, 0, 0));
        }
    }

    record Step(int op, long key, long txn) {}

    @Provide
    Arbitrary<List<Step>> schedules() {
        return Combinators.combine(Arbitraries.integers().between(Op.OCC_READ, Op.OCC_COMMIT),
                Arbitraries.longs().between(0, 30), Arbitraries.longs().between(1, 4)).as(Step::new).list().ofMaxSize(80);
    }

    /**
     * Whatever the schedule: a lock is only ever granted to one transaction at a time, versions
     * only move on COMMIT by the owner, and once every owner commits what it holds the table is
     * free with one version per successful COMMIT.
     */
    /** One small table (many keys share entries) for every try: each try leaves it unlocked. */
    private static final PerContainer<OccTable> SMALL = new PerContainer<>(() -> new OccTable(16));
    private static long seq;

    @AfterContainer
    static void closeSmall() throws Exception {
        SMALL.close();
    }

    @Property(tries = 300)
    void versionsCountCommitsAndLocksAreExclusive(@ForAll("schedules") List<Step> steps) {
        OccTable t = SMALL.get();
        {
            long commits = 0, versionsBefore = t.scan().versionSum();
            List<Step> granted = new ArrayList<>();
            for (Step s : steps) {
                byte[] r = serve(t, request(s.op(), s.key(), s.txn(), ++seq), stats);
                String d = describe(r);
                switch (s.op()) {
                    case Op.OCC_ACQUIRE -> {
                        assertThat(d).isIn("GRANT v" + io.dint.testing.OccMessages.version(r) + " locked mine",
                                "REJECT v" + io.dint.testing.OccMessages.version(r) + " locked");
                        if (d.startsWith("GRANT")) {
                            granted.add(s);
                        }
                    }
                    case Op.OCC_COMMIT -> commits += d.startsWith("OK") ? 1 : 0;
                    default -> assertThat(d).doesNotStartWith("RETRY");
                }
                assertThat(t.scan().inconsistent()).as("after %s", s).isZero();
            }
            for (Step s : granted) {
                byte[] r = serve(t, request(Op.OCC_COMMIT, s.key(), s.txn(), ++seq), stats);
                commits += describe(r).startsWith("OK") ? 1 : 0;
            }
            assertThat(t.scan().allFree()).isTrue();
            assertThat(t.scan().versionSum() - versionsBefore).isEqualTo(commits);
        }
    }
}
