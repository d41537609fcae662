package io.dint.lock;

import static io.dint.testing.LockMessages.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.server.Allowlist;
import io.dint.testing.BadFrames;
import io.dint.testing.Frames;
import io.dint.testing.Messages;
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

/**
 * The 2PL XDP program through BPF_PROG_TEST_RUN, as tables of rows: request frame -> verdict,
 * reply frame, the counters it moves and the lock-table entry it leaves. Every verdict is PASS,
 * DROP or TX, never ABORTED, and a frame that is not a well-formed request of ours is never answered.
 */
class Lock2plXdpTest {
    private static final int TABLE = 64; // small on purpose: lock sharing is easy to provoke
    private static final long[] FREE = {0, 0, 0, 0};

    @RegisterExtension
    final XdpFixture xdp = XdpFixture.of(() -> LockObjects.load(TABLE, Frames.SERVER_MAC, Allowlist.ANY), LockObjects.PROGRAM);

    private long seq;

    /** A row: lock request {@code op} of {@code lockId} by {@code txn}, answered {@code status}, counted as such. */
    private XdpCase lock(String description, int op, long lockId, long txn, int status) {
        return XdpCase.request(description, request(op, lockId, txn, ++seq)).answers(status).counts(counterOf(status));
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

    /** {spin, shared, exclusive, holder} of the entry of {@code lockId}. */
    private long[] entry(long lockId) {
        MemorySegment v = xdp.element(LockObjects.TABLE, Hash64.index(lockId, TABLE));
        return new long[] {
            v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SPIN),
            v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SHARED),
            v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE),
            v.get(ValueLayout.JAVA_LONG, Wire.LOCK_ENTRY_HOLDER)};
    }

    private void setSpin(long lockId, int spin) {
        xdp.updateElement(LockObjects.TABLE, Hash64.index(lockId, TABLE), v -> v.set(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SPIN, spin));
    }

    /** The next id after {@code a} that shares its entry. */
    private static long collidingWith(long a) {
        long b = a + 1;
        while (Hash64.index(b, TABLE) != Hash64.index(a, TABLE)) {
            b++;
        }
        return b;
    }

    @Test
    void sharedGrantsCoexistAndRejectExclusive() {
        xdp.run(
            lock("a first sharer", Op.LOCK_ACQUIRE_SHARED, 3, 1, Status.GRANT),
            lock("a second sharer", Op.LOCK_ACQUIRE_SHARED, 3, 2, Status.GRANT)
                    .leaves("entry of 3", () -> entry(3), new long[] {0, 2, 0, 0}),
            lock("exclusive while shared", Op.LOCK_ACQUIRE_EXCLUSIVE, 3, 3, Status.REJECT)
                    .leaves("entry of 3", () -> entry(3), new long[] {0, 2, 0, 0}),
            lock("the first sharer releases", Op.LOCK_RELEASE_SHARED, 3, 1, Status.OK),
            lock("the second sharer releases", Op.LOCK_RELEASE_SHARED, 3, 2, Status.OK)
                    .leaves("entry of 3", () -> entry(3), FREE));
        assertThat(xdp.stat(Stat.GRANT)).isEqualTo(2);
        assertThat(xdp.stat(Stat.REJECT)).isEqualTo(1);
        assertThat(xdp.stat(Stat.RELEASE)).isEqualTo(2);
        assertThat(xdp.stat(Stat.TX)).isEqualTo(5);
    }

    @Test
    void exclusiveGrantRecordsTheHolderAndRejectsOthers() {
        xdp.run(
            lock("exclusive", Op.LOCK_ACQUIRE_EXCLUSIVE, 4, 42, Status.GRANT)
                    .leaves("entry of 4", () -> entry(4), new long[] {0, 0, 1, 42}),
            lock("shared by another", Op.LOCK_ACQUIRE_SHARED, 4, 43, Status.REJECT),
            lock("exclusive by another", Op.LOCK_ACQUIRE_EXCLUSIVE, 4, 43, Status.REJECT),
            lock("the holder releases", Op.LOCK_RELEASE_EXCLUSIVE, 4, 42, Status.OK)
                    .leaves("entry of 4", () -> entry(4), FREE),
            lock("the other now", Op.LOCK_ACQUIRE_EXCLUSIVE, 4, 43, Status.GRANT));
    }

    @Test
    void lockSharingGrantsTheHolderAgain() {
        long a = 5;
        long b = collidingWith(a);
        xdp.run(
            lock("exclusive on a", Op.LOCK_ACQUIRE_EXCLUSIVE, a, 7, Status.GRANT),
            lock("same txn, other id, same entry", Op.LOCK_ACQUIRE_SHARED, b, 7, Status.GRANT),
            lock("other txn", Op.LOCK_ACQUIRE_SHARED, b, 8, Status.REJECT)
                    .leaves("entry of a", () -> entry(a), new long[] {0, 1, 1, 7}),
            lock("shared release of b", Op.LOCK_RELEASE_SHARED, b, 7, Status.OK),
            lock("exclusive release of a", Op.LOCK_RELEASE_EXCLUSIVE, a, 7, Status.OK)
                    .leaves("entry of a", () -> entry(a), FREE));
    }

    @Test
    void aTransactionsOwnSharedGrantsNeverRejectIt() {
        long a = 5;
        long b = collidingWith(a);
        xdp.run(
            lock("shared on a", Op.LOCK_ACQUIRE_SHARED, a, 7, Status.GRANT),
            lock("same txn, other id, same entry", Op.LOCK_ACQUIRE_EXCLUSIVE, b, 7, Status.GRANT),
            lock("the only sharer upgrades", Op.LOCK_ACQUIRE_EXCLUSIVE, a, 7, Status.GRANT),
            lock("another sharer", Op.LOCK_ACQUIRE_SHARED, a, 8, Status.REJECT)
                    .leaves("entry of a", () -> entry(a), new long[] {0, 1, 2, 7}),
            lock("exclusive release of a", Op.LOCK_RELEASE_EXCLUSIVE, a, 7, Status.OK),
            lock("exclusive release of b", Op.LOCK_RELEASE_EXCLUSIVE, b, 7, Status.OK),
            lock("not a sharer", Op.LOCK_RELEASE_SHARED, a, 8, Status.NOT_HELD),
            lock("shared release of a", Op.LOCK_RELEASE_SHARED, a, 7, Status.OK)
                    .leaves("entry of a", () -> entry(a), FREE));
        assertThat(LockObjects.scan(xdp.object()).allFree()).isTrue();
    }

    @Test
    void busyEntryIsAnsweredRetryAndLeftUntouched() {
        xdp.run(lock("exclusive", Op.LOCK_ACQUIRE_EXCLUSIVE, 9, 1, Status.GRANT));
        setSpin(9, 1);
        xdp.run(
            lock("acquire of a busy entry", Op.LOCK_ACQUIRE_EXCLUSIVE, 9, 2, Status.RETRY).keeps("entry of 9", () -> entry(9)),
            lock("release of a busy entry", Op.LOCK_RELEASE_EXCLUSIVE, 9, 1, Status.RETRY)
                    .leaves("RETRY changes nothing (the original leaked a count here)", () -> entry(9), new long[] {1, 0, 1, 1}));
        setSpin(9, 0);
        xdp.run(lock("release once free", Op.LOCK_RELEASE_EXCLUSIVE, 9, 1, Status.OK));
        assertThat(xdp.stat(Stat.RETRY)).isEqualTo(2);
    }

    @Test
    void releaseOfWhatIsNotHeldIsRefused() {
        xdp.run(
            lock("shared release of a free entry", Op.LOCK_RELEASE_SHARED, 12, 1, Status.NOT_HELD),
            lock("exclusive release of a free entry", Op.LOCK_RELEASE_EXCLUSIVE, 12, 1, Status.NOT_HELD),
            lock("exclusive", Op.LOCK_ACQUIRE_EXCLUSIVE, 12, 1, Status.GRANT),
            lock("exclusive release by another", Op.LOCK_RELEASE_EXCLUSIVE, 12, 2, Status.NOT_HELD),
            lock("shared release by another", Op.LOCK_RELEASE_SHARED, 12, 2, Status.NOT_HELD)
                    .leaves("entry of 12", () -> entry(12), new long[] {0, 0, 1, 1}));
        assertThat(xdp.stat(Stat.NOT_HELD)).isEqualTo(4);
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        byte[] req = request(Op.LOCK_ACQUIRE_EXCLUSIVE, 20, 1, 5);
        List<BadFrames.Case> cases = BadFrames.around(req);
        cases.add(BadFrames.badOp("unknown opcode", Messages.withOp(req, Op.MAX)));
        cases.add(BadFrames.badOp("opcode 0", Messages.withOp(req, 0)));
        cases.add(BadFrames.badOp("an OCC opcode", Messages.withOp(req, Op.OCC_READ)));
        cases.add(BadFrames.badOp("a reply sent to us", Messages.withStatus(req, Status.GRANT)));
        cases.add(BadFrames.badOp("transaction id 0 (means no holder)", request(Op.LOCK_ACQUIRE_EXCLUSIVE, 20, 0, 5)));
        cases.add(BadFrames.badOp("transaction id ~0 (means several sharers)",
                request(Op.LOCK_ACQUIRE_EXCLUSIVE, 20, Wire.LOCK_SHARERS, 5)));
        BadFrames.assertNeverAnswered(xdp, cases);
        assertThat(xdp.stat(Stat.RX)).as("RX counted exactly these frames").isEqualTo(cases.size());
        assertThat(entry(20)).as("no bad frame touched the table").containsExactly(FREE);
    }

    @Test
    void kernelAndJavaPickTheSameEntry() {
        for (long id : new long[] {0, 1, 63, 64, 1L << 40, -1L, 0x123456789abcdefL}) {
            xdp.run(lock("exclusive on " + id, Op.LOCK_ACQUIRE_EXCLUSIVE, id, 99, Status.GRANT));
            long held = 0;
            for (int i = 0; i < TABLE; i++) {
                if (xdp.element(LockObjects.TABLE, i).get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE) != 0) {
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
                byte[] req = request(op, id, txn, ++seq);
                byte[] reply = xdp.answer(req);
                int status = Messages.status(reply);
                assertThat(reply).as("the reply is the request with a status").isEqualTo(Messages.withStatus(req, status));
                assertThat(status).as("step %d: op %d id %d txn %d", i, op, id, txn).isEqualTo(java.apply(op, id, txn));
            }
            assertThat(java.scan()).as("the same table at the end").isEqualTo(LockObjects.scan(xdp.object()));
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
                    .keeps("counts changed once", () -> entry(id)));
        }
        assertThat(xdp.stat(Stat.DUPLICATE)).isEqualTo(2);
        xdp.run(
            lock("shared release", Op.LOCK_RELEASE_SHARED, 30, 5, Status.OK).leaves("entry of 30", () -> entry(30), FREE),
            lock("exclusive release", Op.LOCK_RELEASE_EXCLUSIVE, 31, 5, Status.OK).leaves("entry of 31", () -> entry(31), FREE));
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
                        : request(Op.LOCK_ACQUIRE_SHARED + rnd.nextInt(4), rnd.nextLong(100), 1 + rnd.nextInt(5), ++seq);
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
