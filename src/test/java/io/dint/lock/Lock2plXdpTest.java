package io.dint.lock;

import static io.dint.testing.LockMessages.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.lock.LockScenarios.Step;
import io.dint.server.Allowlist;
import io.dint.testing.BadFrames;
import io.dint.testing.LockEntries;
import io.dint.testing.Messages;
import io.dint.testing.Scenario;
import io.dint.testing.ServiceProgram;
import io.dint.testing.XdpCase;
import io.dint.testing.XdpFixture;
import io.dint.wire.Hash64;
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
 * The 2PL XDP program through BPF_PROG_TEST_RUN, as tables of rows: request frame -> verdict,
 * reply frame, the counters it moves and the lock-table entry it leaves. Every verdict is PASS,
 * DROP or TX, never ABORTED, and a frame that is not a well-formed request of ours is never answered.
 */
class Lock2plXdpTest {
    /** Small: lock sharing is easy to provoke. */
    private static final int TABLE = ServiceProgram.LOCK_ENTRIES;

    @RegisterExtension
    final XdpFixture xdp = XdpFixture.of(ServiceProgram.LOCK2PL, Allowlist.ANY);
    private final LockEntries entries = new LockEntries(xdp, LockObject.TABLE);

    /** A row: lock request {@code op} of {@code lockId} by {@code txn}, answered {@code status}, counted as such. */
    private XdpCase lock(String description, int op, long lockId, long txn, int status) {
        return XdpCase.request(description, request(op, lockId, txn, xdp.nextSeq())).answers(status).counts(counterOf(status));
    }

    /** The counter a lock reply of {@code status} moves. */
    private static int counterOf(int status) {
        return switch (status) {
            case Status.GRANT -> Stat.GRANT;
            case Status.REJECT -> Stat.REJECT;
            case Status.RETRY -> Stat.RETRY;
            case Status.OK -> Stat.RELEASE;
            default -> Stat.NOT_HELD;
        };
    }

    static List<Scenario<Step>> scenarios() {
        return LockScenarios.all();
    }

    /**
     * Every scenario of the lock rules as a table: each step's reply and the counter it moves, the
     * entry it leaves where the scenario says, and nothing held where it ends free.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(Scenario<Step> scenario) {
        List<Step> steps = scenario.with(entries.sharing(LockScenarios.A));
        xdp.run(steps.stream().map(this::row).toList());
        for (int status : new int[] {Status.GRANT, Status.REJECT, Status.OK, Status.NOT_HELD}) {
            assertThat(xdp.stat(counterOf(status))).as("counted %s", Status.name(status))
                    .isEqualTo(steps.stream().filter(s -> s.status() == status).count());
        }
        assertThat(xdp.stat(Stat.TX)).as("every step answered").isEqualTo(steps.size());
        if (LockScenarios.endsFree(steps)) {
            assertThat(LockTableCheck.of(LockEntryCounts.scan(xdp.object().map(LockObject.TABLE))).allFree()).isTrue();
        }
    }

    private XdpCase row(Step s) {
        XdpCase row = lock(s.description(), s.op(), s.lockId(), s.txn(), s.status());
        return s.entry() == null ? row : row.leaves("entry of " + s.lockId(), () -> entries.twoPhase(s.lockId()), s.entry());
    }

    @Test
    void busyEntryIsAnsweredRetryAndLeftUntouched() {
        xdp.run(lock("exclusive", Op.LOCK_ACQUIRE_EXCLUSIVE, 9, 1, Status.GRANT));
        entries.setSpin(9, 1);
        xdp.run(
            lock("acquire of a busy entry", Op.LOCK_ACQUIRE_EXCLUSIVE, 9, 2, Status.RETRY).keeps("entry of 9", () -> entries.twoPhase(9)),
            lock("release of a busy entry", Op.LOCK_RELEASE_EXCLUSIVE, 9, 1, Status.RETRY)
                    .leaves("RETRY changes nothing (the original leaked a count here)", () -> entries.twoPhase(9), new long[] {1, 0, 1, 1}));
        entries.setSpin(9, 0);
        xdp.run(lock("release once free", Op.LOCK_RELEASE_EXCLUSIVE, 9, 1, Status.OK));
        assertThat(xdp.stat(Stat.RETRY)).isEqualTo(2);
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        byte[] req = request(Op.LOCK_ACQUIRE_EXCLUSIVE, 20, 1, 5);
        BadFrames.assertNeverAnswered(xdp, BadFrames.of(ServiceProgram.LOCK2PL, req, Status.GRANT));
        assertThat(entries.twoPhase(20)).as("no bad frame touched the table").containsExactly(LockScenarios.FREE);
    }

    @Test
    void kernelAndJavaPickTheSameEntry() {
        for (long id : new long[] {0, 1, 63, 64, 1L << 40, -1L, 0x123456789abcdefL}) {
            xdp.run(lock("exclusive on " + id, Op.LOCK_ACQUIRE_EXCLUSIVE, id, 99, Status.GRANT));
            long held = 0;
            for (int i = 0; i < TABLE; i++) {
                if (xdp.element(LockObject.TABLE, i).get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE) != 0) {
                    assertThat(i).as("entry of id %d", id).isEqualTo(Hash64.index(id, TABLE));
                    held++;
                }
            }
            assertThat(held).isEqualTo(1);
            xdp.run(lock("release of " + id, Op.LOCK_RELEASE_EXCLUSIVE, id, 99, Status.OK));
        }
    }

    /** The kernel program and the Java table answer a long random sequence identically, step by step. */
    @Test
    void javaLockTableAnswersAsTheKernelDoes() {
        try (LockTable java = new LockTable(TABLE)) {
            SplittableRandom rnd = new SplittableRandom(11);
            for (int i = 0; i < 3000; i++) {
                int op = Op.LOCK_ACQUIRE_SHARED + rnd.nextInt(4);
                long id = rnd.nextLong(200);
                long txn = 1 + rnd.nextInt(5);
                byte[] req = request(op, id, txn, xdp.nextSeq());
                byte[] reply = xdp.answer(req);
                int status = Messages.status(reply);
                assertThat(reply).as("the reply is the request with a status").isEqualTo(Messages.withStatus(req, status));
                assertThat(status).as("step %d: op %d id %d txn %d", i, op, id, txn).isEqualTo(java.apply(op, id, txn));
            }
            assertThat(java.scan()).as("the same table at the end").isEqualTo(LockTableCheck.of(LockEntryCounts.scan(xdp.object().map(LockObject.TABLE))));
            assertThat(java.scan().inconsistent()).isZero();
        }
    }

    /** A retransmitted request (same client and seq) is answered as before and applied once. */
    @Test
    void aRetransmissionIsAnsweredFromTheDedupWindowNotAppliedTwice() {
        for (int op : new int[] {Op.LOCK_ACQUIRE_SHARED, Op.LOCK_ACQUIRE_EXCLUSIVE}) {
            long id = op == Op.LOCK_ACQUIRE_SHARED ? 30 : 31;
            XdpCase first = lock("first", op, id, 5, Status.GRANT);
            xdp.run(first);
            xdp.run(XdpCase.request("the same again", first.payload()).answers(Status.GRANT).counts(Stat.DUPLICATE)
                    .keeps("counts changed once", () -> entries.twoPhase(id)));
        }
        assertThat(xdp.stat(Stat.DUPLICATE)).isEqualTo(2);
        xdp.run(
            lock("shared release", Op.LOCK_RELEASE_SHARED, 30, 5, Status.OK).leaves("entry of 30", () -> entries.twoPhase(30), LockScenarios.FREE),
            lock("exclusive release", Op.LOCK_RELEASE_EXCLUSIVE, 31, 5, Status.OK).leaves("entry of 31", () -> entries.twoPhase(31), LockScenarios.FREE));
    }

    /** With retransmissions mixed in, the Java table still answers byte for byte as the kernel. */
    @Test
    void javaAndKernelAgreeOnRetransmissions() {
        try (LockTable java = new LockTable(TABLE); Arena arena = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(12);
            MemorySegment buf = arena.allocate(Wire.LOCK_MSG_SIZE);
            long[] javaStats = new long[Stat.MAX];
            byte[] previous = null;
            for (int i = 0; i < 2000; i++) {
                byte[] req = previous != null && rnd.nextInt(5) == 0 ? previous
                        : request(Op.LOCK_ACQUIRE_SHARED + rnd.nextInt(4), rnd.nextLong(100), 1 + rnd.nextInt(5), xdp.nextSeq());
                previous = req;
                byte[] kernel = xdp.answer(req);
                MemorySegment.copy(req, 0, buf, ValueLayout.JAVA_BYTE, 0, req.length);
                java.serve(buf, req.length, javaStats);
                assertThat(kernel).as("step %d", i).isEqualTo(buf.toArray(ValueLayout.JAVA_BYTE));
            }
            assertThat(javaStats[Stat.DUPLICATE]).isPositive().isEqualTo(xdp.stat(Stat.DUPLICATE));
        }
    }
}
