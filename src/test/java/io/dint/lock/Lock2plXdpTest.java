package io.dint.lock;

import static io.dint.testing.LockMessages.request;
import static io.dint.testing.LockMessages.withStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.testing.BadFrames;
import io.dint.testing.Frames;
import io.dint.wire.Hash64;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The 2PL XDP program through BPF_PROG_TEST_RUN, Katran style: input frame -> verdict, output
 * frame, counters and lock-table entry. Every verdict is PASS, DROP or TX, never ABORTED, and a
 * frame that is not a well-formed request of ours is never answered.
 */
class Lock2plXdpTest {
    private static final int TABLE = 64; // small on purpose: lock sharing is easy to provoke

    private BpfObject obj;
    private BpfProgram prog;
    private BpfMap stats;
    private long seq;

    @BeforeEach
    void load() {
        obj = LockObjects.load(TABLE, Frames.SERVER_MAC, io.dint.server.Allowlist.ANY);
        prog = obj.program(LockObjects.PROGRAM);
        stats = obj.map("stats");
    }

    @AfterEach
    void close() {
        obj.close();
    }

    /** Runs one lock request through the program and checks the reply frame; returns the status. */
    private int lock(int op, long lockId, long txn) {
        byte[] req = request(op, lockId, txn, ++seq);
        byte[] frame = Frames.udpTo(Wire.PORT).payload(req).build();
        TestRun r = prog.testRun(frame, 1);
        assertThat(r.verdict()).isEqualTo(Xdp.TX);
        int status = r.output()[Frames.payloadOffset(frame) + Wire.HDR_STATUS];
        assertThat(r.output()).as("reply frame").isEqualTo(Frames.expectedReply(frame, withStatus(req, status)));
        return status;
    }

    private long[] entry(long lockId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4);
            key.set(ValueLayout.JAVA_INT, 0, Hash64.index(lockId, TABLE));
            MemorySegment v = arena.allocate(Wire.LOCK_ENTRY_SIZE);
            assertThat(obj.map("lock_table").lookup(key, v)).isTrue();
            return new long[] {
                v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SPIN),
                v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SHARED),
                v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE),
                v.get(ValueLayout.JAVA_LONG, Wire.LOCK_ENTRY_HOLDER)};
        }
    }

    private void setSpin(long lockId, int spin) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4);
            key.set(ValueLayout.JAVA_INT, 0, Hash64.index(lockId, TABLE));
            MemorySegment v = arena.allocate(Wire.LOCK_ENTRY_SIZE);
            obj.map("lock_table").lookup(key, v);
            v.set(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SPIN, spin);
            obj.map("lock_table").update(key, v, 0);
        }
    }

    /** The next id after {@code a} that shares its entry. */
    private static long collidingWith(long a) {
        long b = a + 1;
        while (Hash64.index(b, TABLE) != Hash64.index(a, TABLE)) {
            b++;
        }
        return b;
    }

    private long stat(int s) {
        return stats.sumPerCpuLong(s);
    }

    @Test
    void sharedGrantsCoexistAndRejectExclusive() {
        assertThat(lock(Op.LOCK_ACQUIRE_SHARED, 3, 1)).isEqualTo(Status.GRANT);
        assertThat(lock(Op.LOCK_ACQUIRE_SHARED, 3, 2)).isEqualTo(Status.GRANT);
        assertThat(entry(3)).containsExactly(0, 2, 0, 0);
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, 3, 3)).isEqualTo(Status.REJECT);
        assertThat(entry(3)).containsExactly(0, 2, 0, 0);
        assertThat(lock(Op.LOCK_RELEASE_SHARED, 3, 1)).isEqualTo(Status.OK);
        assertThat(lock(Op.LOCK_RELEASE_SHARED, 3, 2)).isEqualTo(Status.OK);
        assertThat(entry(3)).containsExactly(0, 0, 0, 0);
        assertThat(stat(Stat.GRANT)).isEqualTo(2);
        assertThat(stat(Stat.REJECT)).isEqualTo(1);
        assertThat(stat(Stat.RELEASE)).isEqualTo(2);
        assertThat(stat(Stat.TX)).isEqualTo(5);
    }

    @Test
    void exclusiveGrantRecordsTheHolderAndRejectsOthers() {
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, 4, 42)).isEqualTo(Status.GRANT);
        assertThat(entry(4)).containsExactly(0, 0, 1, 42);
        assertThat(lock(Op.LOCK_ACQUIRE_SHARED, 4, 43)).isEqualTo(Status.REJECT);
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, 4, 43)).isEqualTo(Status.REJECT);
        assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, 4, 42)).isEqualTo(Status.OK);
        assertThat(entry(4)).containsExactly(0, 0, 0, 0);
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, 4, 43)).isEqualTo(Status.GRANT);
    }

    @Test
    void lockSharingGrantsTheHolderAgain() {
        long a = 5, b = collidingWith(a);
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, a, 7)).isEqualTo(Status.GRANT);
        assertThat(lock(Op.LOCK_ACQUIRE_SHARED, b, 7)).as("same txn, other id, same entry").isEqualTo(Status.GRANT);
        assertThat(lock(Op.LOCK_ACQUIRE_SHARED, b, 8)).as("other txn").isEqualTo(Status.REJECT);
        assertThat(entry(a)).containsExactly(0, 1, 1, 7);
        assertThat(lock(Op.LOCK_RELEASE_SHARED, b, 7)).isEqualTo(Status.OK);
        assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, a, 7)).isEqualTo(Status.OK);
        assertThat(entry(a)).containsExactly(0, 0, 0, 0);
    }

    @Test
    void aTransactionsOwnSharedGrantsNeverRejectIt() {
        long a = 5, b = collidingWith(a);
        assertThat(lock(Op.LOCK_ACQUIRE_SHARED, a, 7)).isEqualTo(Status.GRANT);
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, b, 7)).as("same txn, other id, same entry").isEqualTo(Status.GRANT);
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, a, 7)).as("the only sharer upgrades").isEqualTo(Status.GRANT);
        assertThat(lock(Op.LOCK_ACQUIRE_SHARED, a, 8)).isEqualTo(Status.REJECT);
        assertThat(entry(a)).containsExactly(0, 1, 2, 7);
        assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, a, 7)).isEqualTo(Status.OK);
        assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, b, 7)).isEqualTo(Status.OK);
        assertThat(lock(Op.LOCK_RELEASE_SHARED, a, 8)).as("not a sharer").isEqualTo(Status.NOT_HELD);
        assertThat(lock(Op.LOCK_RELEASE_SHARED, a, 7)).isEqualTo(Status.OK);
        assertThat(entry(a)).containsExactly(0, 0, 0, 0);
        assertThat(LockObjects.scan(obj).allFree()).isTrue();
    }

    @Test
    void busyEntryIsAnsweredRetryAndLeftUntouched() {
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, 9, 1)).isEqualTo(Status.GRANT);
        setSpin(9, 1);
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, 9, 2)).isEqualTo(Status.RETRY);
        assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, 9, 1)).isEqualTo(Status.RETRY);
        assertThat(entry(9)).as("RETRY changes nothing (the original leaked a count here)").containsExactly(1, 0, 1, 1);
        setSpin(9, 0);
        assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, 9, 1)).isEqualTo(Status.OK);
        assertThat(stat(Stat.RETRY)).isEqualTo(2);
    }

    @Test
    void releaseOfWhatIsNotHeldIsRefused() {
        assertThat(lock(Op.LOCK_RELEASE_SHARED, 12, 1)).isEqualTo(Status.NOT_HELD);
        assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, 12, 1)).isEqualTo(Status.NOT_HELD);
        assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, 12, 1)).isEqualTo(Status.GRANT);
        assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, 12, 2)).isEqualTo(Status.NOT_HELD);
        assertThat(lock(Op.LOCK_RELEASE_SHARED, 12, 2)).isEqualTo(Status.NOT_HELD);
        assertThat(entry(12)).containsExactly(0, 0, 1, 1);
        assertThat(stat(Stat.NOT_HELD)).isEqualTo(4);
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        byte[] req = request(Op.LOCK_ACQUIRE_EXCLUSIVE, 20, 1, 5);
        List<BadFrames.Case> cases = BadFrames.around(req);
        cases.add(BadFrames.badOp("unknown opcode", BadFrames.withOp(req, Op.MAX)));
        cases.add(BadFrames.badOp("opcode 0", BadFrames.withOp(req, 0)));
        cases.add(BadFrames.badOp("an OCC opcode", BadFrames.withOp(req, Op.OCC_READ)));
        cases.add(BadFrames.badOp("a reply sent to us", withStatus(req, Status.GRANT)));
        cases.add(BadFrames.badOp("transaction id 0 (means no holder)", request(Op.LOCK_ACQUIRE_EXCLUSIVE, 20, 0, 5)));
        cases.add(BadFrames.badOp("transaction id ~0 (means several sharers)",
                request(Op.LOCK_ACQUIRE_EXCLUSIVE, 20, Wire.LOCK_SHARERS, 5)));
        BadFrames.assertNeverAnswered(prog, stats, cases);
        assertThat(entry(20)).as("no bad frame touched the table").containsExactly(0, 0, 0, 0);
    }

    @Test
    void kernelAndJavaPickTheSameEntry() {
        for (long id : new long[] {0, 1, 63, 64, 1L << 40, -1L, 0x123456789abcdefL}) {
            assertThat(lock(Op.LOCK_ACQUIRE_EXCLUSIVE, id, 99)).isEqualTo(Status.GRANT);
            long held = 0;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(4);
                MemorySegment v = arena.allocate(Wire.LOCK_ENTRY_SIZE);
                for (int i = 0; i < TABLE; i++) {
                    key.set(ValueLayout.JAVA_INT, 0, i);
                    obj.map("lock_table").lookup(key, v);
                    if (v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE) != 0) {
                        assertThat(i).as("entry of id %d", id).isEqualTo(Hash64.index(id, TABLE));
                        held++;
                    }
                }
            }
            assertThat(held).isEqualTo(1);
            assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, id, 99)).isEqualTo(Status.OK);
        }
    }

    /** The kernel program and the Java table answer a long random sequence identically, step by step. */
    @Test
    void javaLockTableAnswersAsTheKernelDoes() {
        try (LockTable java = new LockTable(TABLE)) {
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
            for (int i = 0; i < 3000; i++) {
                int op = Op.LOCK_ACQUIRE_SHARED + rnd.nextInt(4);
                long id = rnd.nextLong(200);
                long txn = 1 + rnd.nextInt(5);
                assertThat(lock(op, id, txn)).as("step %d: op %d id %d txn %d", i, op, id, txn)
                        .isEqualTo(java.apply(op, id, txn));
            }
            assertThat(java.scan()).as("the same table at the end").isEqualTo(LockObjects.scan(obj));
            assertThat(java.scan().inconsistent()).isZero();
        }
    }

    /** A retransmitted request (same client and seq) is answered as before and applied once. */
    @Test
    void aRetransmissionIsAnsweredFromTheDedupWindowNotAppliedTwice() {
        for (int op : new int[] {Op.LOCK_ACQUIRE_SHARED, Op.LOCK_ACQUIRE_EXCLUSIVE}) {
            long id = op == Op.LOCK_ACQUIRE_SHARED ? 30 : 31;
            byte[] frame = Frames.udpTo(Wire.PORT).payload(request(op, id, 5, ++seq)).build();
            TestRun first = prog.testRun(frame, 1);
            long[] after = entry(id);
            TestRun again = prog.testRun(frame, 1);
            assertThat(again.verdict()).isEqualTo(Xdp.TX);
            assertThat(again.output()).isEqualTo(first.output());
            assertThat(entry(id)).as("counts changed once").containsExactly(after);
        }
        assertThat(stat(Stat.DUPLICATE)).isEqualTo(2);
        assertThat(lock(Op.LOCK_RELEASE_SHARED, 30, 5)).isEqualTo(Status.OK);
        assertThat(lock(Op.LOCK_RELEASE_EXCLUSIVE, 31, 5)).isEqualTo(Status.OK);
        assertThat(entry(30)).containsExactly(0, 0, 0, 0);
        assertThat(entry(31)).containsExactly(0, 0, 0, 0);
    }

    /** With retransmissions mixed in, the Java table still answers byte for byte as the kernel. */
    @Test
    void javaAndKernelAgreeOnRetransmissions() {
        try (LockTable java = new LockTable(TABLE); Arena arena = Arena.ofConfined()) {
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(12);
            MemorySegment buf = arena.allocate(Wire.LOCK_MSG_SIZE);
            long[] javaStats = new long[Stat.MAX];
            byte[] previous = null;
            for (int i = 0; i < 2000; i++) {
                byte[] req = previous != null && rnd.nextInt(5) == 0 ? previous
                        : request(Op.LOCK_ACQUIRE_SHARED + rnd.nextInt(4), rnd.nextLong(100), 1 + rnd.nextInt(5), ++seq);
                previous = req;
                byte[] frame = Frames.udpTo(Wire.PORT).payload(req).build();
                int kernel = prog.testRun(frame, 1).output()[Frames.payloadOffset(frame) + Wire.HDR_STATUS];
                MemorySegment.copy(req, 0, buf, ValueLayout.JAVA_BYTE, 0, req.length);
                java.serve(buf, req.length, javaStats);
                assertThat(kernel).as("step %d", i).isEqualTo((int) buf.get(ValueLayout.JAVA_BYTE, Wire.HDR_STATUS));
            }
            assertThat(javaStats[Stat.DUPLICATE]).isPositive().isEqualTo(stat(Stat.DUPLICATE));
        }
    }
}
