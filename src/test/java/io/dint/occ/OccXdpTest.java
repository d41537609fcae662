package io.dint.occ;

import static io.dint.testing.OccMessages.describe;
import static io.dint.testing.OccMessages.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.server.Allowlist;
import io.dint.server.StatCounters;
import io.dint.testing.BadFrames;
import io.dint.testing.LockEntries;
import io.dint.testing.Messages;
import io.dint.testing.OccMessages;
import io.dint.testing.Scenario;
import io.dint.testing.ServiceProgram;
import io.dint.testing.XdpCase;
import io.dint.testing.XdpFixture;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OCC XDP program through BPF_PROG_TEST_RUN, as tables of rows: request frame -> verdict,
 * reply (read as "GRANT v0 locked mine"), the counters it moves and the table entry it leaves;
 * and the Java {@link OccTable} held to the same replies byte for byte, every step replayed.
 */
class OccXdpTest {
    @RegisterExtension
    final XdpFixture xdp = XdpFixture.of(ServiceProgram.OCC, Allowlist.ANY);
    /** The table: small ({@link ServiceProgram#LOCK_ENTRIES}), so that keys share entries. */
    private final LockEntries entries = new LockEntries(xdp, OccObject.TABLE);

    /** A row: OCC request {@code op} on {@code key} by {@code txn}, answered {@code reply} ({@link OccMessages#describe}). */
    private XdpCase occ(String description, int op, long key, long txn, String reply) {
        return occ(description, request(op, key, txn, xdp.nextSeq()), reply);
    }

    private static XdpCase occ(String description, byte[] req, String reply) {
        return XdpCase.request(description, req).replyThat("reply", OccMessages::describe, reply);
    }

    static List<Scenario<OccScenarios.Step>> scenarios() {
        return OccScenarios.all();
    }

    /** Every scenario of the OCC rules as a table: each step's reply and the counter it moves, and the entry it leaves where the scenario says. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(Scenario<OccScenarios.Step> scenario) {
        List<OccScenarios.Step> steps = scenario.with(entries.sharing(OccScenarios.A));
        xdp.run(steps.stream().map(this::row).toList());
        for (int stat = Stat.OCC_READ; stat <= Stat.OCC_NOT_HELD; stat++) {
            int counter = stat;
            assertThat(xdp.stat(stat)).as("counted %s", Stat.name(stat)).isEqualTo(steps.stream().filter(s -> s.counter() == counter).count());
        }
        assertThat(xdp.stat(Stat.TX)).as("every step answered").isEqualTo(steps.size());
    }

    private XdpCase row(OccScenarios.Step s) {
        XdpCase row = occ(s.description(), s.op(), s.key(), s.txn(), s.reply()).counts(s.counter());
        return s.entry() == null ? row : row.leaves("entry of " + s.key(), () -> entries.occ(s.key()), s.entry());
    }

    /** A retransmitted ACQUIRE, COMMIT or ABORT (same client and seq) is answered as before and applied once. */
    @Test
    void aRetransmissionIsAnsweredFromTheDedupWindowNotAppliedTwice() {
        XdpCase acquire = occ("acquire", Op.OCC_ACQUIRE, 30, 5, "GRANT v0 locked mine").counts(Stat.OCC_GRANT);
        XdpCase commit = occ("commit", Op.OCC_COMMIT, 30, 5, "OK v1").counts(Stat.OCC_COMMIT);
        byte[] abort = request(Op.OCC_ABORT, 31, 6, xdp.nextSeq());
        xdp.run(
            acquire,
            occ("the acquire again", acquire.payload(), "GRANT v0 locked mine").counts(Stat.DUPLICATE)
                    .keeps("applied once", () -> entries.occ(30)),
            commit,
            occ("the commit again", commit.payload(), "OK v1").counts(Stat.DUPLICATE).keeps("applied once", () -> entries.occ(30)),
            occ("a first grant", Op.OCC_ACQUIRE, 31, 6, "GRANT v0 locked mine").counts(Stat.OCC_GRANT),
            occ("a second grant", Op.OCC_ACQUIRE, 31, 6, "GRANT v0 locked mine").counts(Stat.OCC_GRANT),
            occ("abort", abort, "OK v0 locked mine").counts(Stat.OCC_ABORT),
            occ("the same ABORT releases one grant", abort, "OK v0 locked mine").counts(Stat.DUPLICATE)
                    .leaves("entry of 31", () -> entries.occ(31), new long[] {0, 0, 1, 6}));
        assertThat(xdp.stat(Stat.DUPLICATE)).isEqualTo(3);
    }

    @Test
    void busyEntryIsAnsweredRetryAndLeftUntouched() {
        xdp.run(occ("acquire", Op.OCC_ACQUIRE, 9, 1, "GRANT v0 locked mine").counts(Stat.OCC_GRANT));
        entries.setSpin(9, 1);
        for (int op = Op.OCC_READ; op <= Op.OCC_COMMIT; op++) {
            xdp.run(occ("op " + op + " on a busy entry", op, 9, 1, "RETRY v0").counts(Stat.OCC_RETRY)
                    .leaves("RETRY changes nothing", () -> entries.occ(9), new long[] {1, 0, 1, 1}));
        }
        entries.setSpin(9, 0);
        xdp.run(occ("commit once free", Op.OCC_COMMIT, 9, 1, "OK v1").counts(Stat.OCC_COMMIT));
        assertThat(xdp.stat(Stat.OCC_RETRY)).isEqualTo(4);
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        BadFrames.assertNeverAnswered(xdp, BadFrames.of(ServiceProgram.OCC, request(Op.OCC_ACQUIRE, 20, 1, 5), Status.GRANT));
        assertThat(entries.occ(20)).as("no bad frame touched the table").containsExactly(0, 0, 0, 0);
    }

    /** The kernel program and the Java table give byte-identical replies to a long random sequence, and end in the same state. */
    @Test
    void javaOccTableAnswersAsTheKernelDoes() {
        try (OccTable java = new OccTable(entries.size()); Arena arena = Arena.ofConfined()) {
            long[] javaStats = new long[Stat.MAX];
            MemorySegment buf = arena.allocate(Wire.MAX_PAYLOAD);
            SplittableRandom rnd = new SplittableRandom(11);
            int[] seen = new int[Status.NOT_HELD + 1];
            byte[] previous = null;
            for (int i = 0; i < 3000; i++) {
                byte[] req = previous != null && rnd.nextInt(6) == 0 ? previous // a retransmission
                        : request(Op.OCC_READ + rnd.nextInt(4), rnd.nextLong(200), 1 + rnd.nextInt(5), i);
                previous = req;
                byte[] kernel = xdp.answer(req);
                MemorySegment.copy(MemorySegment.ofArray(req), 0, buf, 0, req.length);
                assertThat(java.serve(buf, req.length, javaStats)).isEqualTo(req.length);
                byte[] user = buf.asSlice(0, req.length).toArray(ValueLayout.JAVA_BYTE);
                assertThat(user).as("step %d: kernel %s, java %s", i, describe(kernel), describe(user)).isEqualTo(kernel);
                seen[Messages.status(kernel)]++;
            }
            assertThat(seen[Status.OK]).isPositive();
            assertThat(seen[Status.GRANT]).isPositive();
            assertThat(seen[Status.REJECT]).isPositive();
            assertThat(seen[Status.NOT_HELD]).isPositive();
            assertThat(xdp.stat(Stat.DUPLICATE)).as("retransmissions replayed").isPositive();
            assertThat(java.scan()).isEqualTo(OccTableCheck.of(io.dint.lock.LockEntryCounts.scan(xdp.object().map(OccObject.TABLE))));
            assertThat(StatCounters.of(javaStats)).isEqualTo(xdp.counters());
        }
    }
}
