package io.dint.occ;

import static io.dint.testing.OccMessages.describe;
import static io.dint.testing.OccMessages.request;
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
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OCC XDP program through BPF_PROG_TEST_RUN, Katran style: input frame -> verdict, output
 * frame, counters and table entry; and the Java {@link OccTable} held to the same replies byte
 * for byte, every step replayed.
 */
class OccXdpTest {
    private static final int TABLE = 64; // small on purpose: entry sharing is easy to provoke

    private BpfObject obj;
    private BpfProgram prog;
    private BpfMap stats;
    private long seq;

    @BeforeEach
    void load() {
        obj = OccObjects.load(TABLE, Frames.SERVER_MAC, io.dint.server.Allowlist.ANY);
        prog = obj.program(OccObjects.PROGRAM);
        stats = obj.map("stats");
    }

    @AfterEach
    void close() {
        obj.close();
    }

    /** Runs one request through the program: answered with XDP_TX, addresses swapped; returns the reply payload. */
    private byte[] run(byte[] req) {
        byte[] frame = Frames.udpTo(Wire.PORT).payload(req).build();
        TestRun r = prog.testRun(frame, 1);
        assertThat(r.verdict()).isEqualTo(Xdp.TX);
        int p = Frames.payloadOffset(frame);
        byte[] reply = Arrays.copyOfRange(r.output(), p, p + req.length);
        assertThat(r.output()).as("reply frame").isEqualTo(Frames.expectedReply(frame, reply));
        assertThat(reply.length).isEqualTo(r.output().length - p);
        return reply;
    }

    private String occ(int op, long key, long txn) {
        return describe(run(request(op, key, txn, ++seq)));
    }

    /** {spin, version, exclusive grants, holder} of the entry of {@code key}. */
    private long[] entry(long key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Wire.LOCK_ENTRY_SIZE);
            assertThat(obj.map(OccObjects.TABLE).lookup(Hash64.index(key, TABLE), v)).isTrue();
            return new long[] {
                v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SPIN),
                v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_VERSION),
                v.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE),
                v.get(ValueLayout.JAVA_LONG, Wire.LOCK_ENTRY_HOLDER)};
        }
    }

    private void setSpin(long key, int spin) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Wire.LOCK_ENTRY_SIZE);
            int idx = Hash64.index(key, TABLE);
            obj.map(OccObjects.TABLE).lookup(idx, v);
            v.set(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SPIN, spin);
            obj.map(OccObjects.TABLE).update(idx, v);
        }
    }

    private long stat(int s) {
        return stats.sumPerCpuLong(s);
    }

    @Test
    void readReturnsTheVersionAndTheLockBit() {
        assertThat(occ(Op.OCC_READ, 3, 1)).isEqualTo("OK v0");
        assertThat(occ(Op.OCC_ACQUIRE, 3, 1)).isEqualTo("GRANT v0 locked mine");
        assertThat(occ(Op.OCC_READ, 3, 2)).as("another transaction sees it locked").isEqualTo("OK v0 locked");
        assertThat(occ(Op.OCC_READ, 3, 1)).as("the owner sees it as its own").isEqualTo("OK v0 locked mine");
        assertThat(occ(Op.OCC_COMMIT, 3, 1)).isEqualTo("OK v1");
        assertThat(occ(Op.OCC_READ, 3, 2)).isEqualTo("OK v1");
        assertThat(entry(3)).containsExactly(0, 1, 0, 0);
        assertThat(stat(Stat.OCC_READ)).isEqualTo(4);
        assertThat(stat(Stat.OCC_GRANT)).isEqualTo(1);
        assertThat(stat(Stat.OCC_COMMIT)).isEqualTo(1);
        assertThat(stat(Stat.TX)).isEqualTo(6);
    }

    @Test
    void acquireIsExclusiveAndCountsTheHoldersGrants() {
        assertThat(occ(Op.OCC_ACQUIRE, 4, 42)).isEqualTo("GRANT v0 locked mine");
        assertThat(entry(4)).containsExactly(0, 0, 1, 42);
        assertThat(occ(Op.OCC_ACQUIRE, 4, 43)).isEqualTo("REJECT v0 locked");
        assertThat(occ(Op.OCC_ACQUIRE, 4, 42)).as("the holder again: a second grant").isEqualTo("GRANT v0 locked mine");
        assertThat(entry(4)).containsExactly(0, 0, 2, 42);
        assertThat(occ(Op.OCC_ABORT, 4, 42)).as("one grant left").isEqualTo("OK v0 locked mine");
        assertThat(occ(Op.OCC_ABORT, 4, 42)).as("ABORT unlocks without a new version").isEqualTo("OK v0");
        assertThat(occ(Op.OCC_ACQUIRE, 4, 43)).isEqualTo("GRANT v0 locked mine");
        assertThat(stat(Stat.OCC_REJECT)).isEqualTo(1);
        assertThat(stat(Stat.OCC_ABORT)).isEqualTo(2);
    }

    /** A retransmitted ACQUIRE, COMMIT or ABORT (same client and seq) is answered as before and applied once. */
    @Test
    void aRetransmissionIsAnsweredFromTheDedupWindowNotAppliedTwice() {
        for (int op : new int[] {Op.OCC_ACQUIRE, Op.OCC_COMMIT}) {
            byte[] req = request(op, 30, 5, ++seq);
            assertThat(describe(run(req))).isEqualTo(op == Op.OCC_ACQUIRE ? "GRANT v0 locked mine" : "OK v1");
            long[] after = entry(30);
            assertThat(describe(run(req))).as("op %d again", op).isEqualTo(op == Op.OCC_ACQUIRE ? "GRANT v0 locked mine" : "OK v1");
            assertThat(entry(30)).as("applied once").containsExactly(after);
        }
        byte[] abort = request(Op.OCC_ABORT, 31, 6, ++seq);
        occ(Op.OCC_ACQUIRE, 31, 6);
        occ(Op.OCC_ACQUIRE, 31, 6);
        assertThat(describe(run(abort))).isEqualTo("OK v0 locked mine");
        assertThat(describe(run(abort))).as("the same ABORT releases one grant").isEqualTo("OK v0 locked mine");
        assertThat(entry(31)).containsExactly(0, 0, 1, 6);
        assertThat(stat(Stat.DUPLICATE)).isEqualTo(3);
    }

    @Test
    void onlyTheOwnerCommitsOrAborts() {
        assertThat(occ(Op.OCC_COMMIT, 12, 1)).as("unlocked").isEqualTo("NOT_HELD v0");
        assertThat(occ(Op.OCC_ABORT, 12, 1)).as("unlocked").isEqualTo("NOT_HELD v0");
        assertThat(occ(Op.OCC_ACQUIRE, 12, 1)).isEqualTo("GRANT v0 locked mine");
        assertThat(occ(Op.OCC_COMMIT, 12, 2)).isEqualTo("NOT_HELD v0 locked");
        assertThat(occ(Op.OCC_ABORT, 12, 2)).isEqualTo("NOT_HELD v0 locked");
        assertThat(entry(12)).containsExactly(0, 0, 1, 1);
        assertThat(occ(Op.OCC_COMMIT, 12, 1)).isEqualTo("OK v1");
        assertThat(occ(Op.OCC_COMMIT, 12, 1)).as("a second COMMIT of one grant").isEqualTo("NOT_HELD v1");
        assertThat(entry(12)).containsExactly(0, 1, 0, 0);
        assertThat(stat(Stat.OCC_NOT_HELD)).isEqualTo(5);
    }

    @Test
    void keysSharingAnEntryShareItsLock() {
        long a = 5, b = a + 1;
        while (Hash64.index(b, TABLE) != Hash64.index(a, TABLE)) {
            b++;
        }
        assertThat(occ(Op.OCC_ACQUIRE, a, 7)).isEqualTo("GRANT v0 locked mine");
        assertThat(occ(Op.OCC_ACQUIRE, b, 7)).as("same txn, other key, same entry").isEqualTo("GRANT v0 locked mine");
        assertThat(occ(Op.OCC_ACQUIRE, b, 8)).as("other txn").isEqualTo("REJECT v0 locked");
        assertThat(occ(Op.OCC_READ, b, 8)).isEqualTo("OK v0 locked");
        assertThat(occ(Op.OCC_COMMIT, a, 7)).as("b still holds the entry").isEqualTo("OK v1 locked mine");
        assertThat(occ(Op.OCC_READ, a, 8)).as("nothing exposed before b commits").isEqualTo("OK v1 locked");
        assertThat(occ(Op.OCC_COMMIT, b, 7)).isEqualTo("OK v2");
        assertThat(entry(a)).containsExactly(0, 2, 0, 0);
    }

    @Test
    void busyEntryIsAnsweredRetryAndLeftUntouched() {
        assertThat(occ(Op.OCC_ACQUIRE, 9, 1)).isEqualTo("GRANT v0 locked mine");
        setSpin(9, 1);
        for (int op = Op.OCC_READ; op <= Op.OCC_COMMIT; op++) {
            assertThat(occ(op, 9, 1)).as("op %d on a busy entry", op).isEqualTo("RETRY v0");
        }
        assertThat(entry(9)).as("RETRY changes nothing").containsExactly(1, 0, 1, 1);
        setSpin(9, 0);
        assertThat(occ(Op.OCC_COMMIT, 9, 1)).isEqualTo("OK v1");
        assertThat(stat(Stat.OCC_RETRY)).isEqualTo(4);
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        byte[] req = request(Op.OCC_ACQUIRE, 20, 1, 5);
        List<BadFrames.Case> cases = BadFrames.around(req);
        cases.add(BadFrames.badOp("unknown opcode", BadFrames.withOp(req, Op.MAX)));
        cases.add(BadFrames.badOp("opcode 0", BadFrames.withOp(req, 0)));
        cases.add(BadFrames.badOp("a 2PL opcode", BadFrames.withOp(req, Op.LOCK_ACQUIRE_EXCLUSIVE)));
        cases.add(BadFrames.badOp("the opcode after COMMIT", BadFrames.withOp(req, Op.OCC_COMMIT + 1)));
        cases.add(BadFrames.badOp("transaction id 0 (means no holder)", request(Op.OCC_ACQUIRE, 20, 0, 5)));
        cases.add(BadFrames.badOp("transaction id ~0 (means several sharers)", request(Op.OCC_ACQUIRE, 20, Wire.LOCK_SHARERS, 5)));
        byte[] reply = req.clone();
        reply[Wire.HDR_STATUS] = (byte) Status.GRANT;
        cases.add(BadFrames.badOp("a reply sent to us", reply));
        BadFrames.assertNeverAnswered(prog, stats, cases);
        assertThat(entry(20)).as("no bad frame touched the table").containsExactly(0, 0, 0, 0);
    }

    /** The kernel program and the Java table give byte-identical replies to a long random sequence, and end in the same state. */
    @Test
    void javaOccTableAnswersAsTheKernelDoes() {
        try (OccTable java = new OccTable(TABLE); Arena arena = Arena.ofConfined()) {
            long[] javaStats = new long[Stat.MAX];
            MemorySegment buf = arena.allocate(Wire.MAX_PAYLOAD);
            SplittableRandom rnd = new SplittableRandom(11);
            int[] seen = new int[Status.NOT_HELD + 1];
            byte[] previous = null;
            for (int i = 0; i < 3000; i++) {
                byte[] req = previous != null && rnd.nextInt(6) == 0 ? previous // a retransmission
                        : request(Op.OCC_READ + rnd.nextInt(4), rnd.nextLong(200), 1 + rnd.nextInt(5), i);
                previous = req;
                byte[] kernel = run(req);
                MemorySegment.copy(MemorySegment.ofArray(req), 0, buf, 0, req.length);
                assertThat(java.serve(buf, req.length, javaStats)).isEqualTo(req.length);
                byte[] user = buf.asSlice(0, req.length).toArray(ValueLayout.JAVA_BYTE);
                assertThat(user).as("step %d: kernel %s, java %s", i, describe(kernel), describe(user)).isEqualTo(kernel);
                seen[kernel[Wire.HDR_STATUS]]++;
            }
            assertThat(seen[Status.OK]).isPositive();
            assertThat(seen[Status.GRANT]).isPositive();
            assertThat(seen[Status.REJECT]).isPositive();
            assertThat(seen[Status.NOT_HELD]).isPositive();
            assertThat(stat(Stat.DUPLICATE)).as("retransmissions replayed").isPositive();
            assertThat(java.scan()).isEqualTo(OccObjects.scan(obj));
            for (int s = 0; s < Stat.MAX; s++) {
                assertThat(javaStats[s]).as("counter %s", Stat.name(s)).isEqualTo(stat(s));
            }
        }
    }
}
