package io.dint.log;

import static io.dint.testing.LogMessages.request;
import static io.dint.testing.Messages.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.testing.BadFrames;
import io.dint.testing.Cpu;
import io.dint.testing.Frames;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The log XDP program through BPF_PROG_TEST_RUN, with its rings mapped into the test as the
 * drainer maps them: what an append writes where, a full ring refusing to overwrite, malformed
 * frames never answered; and the Java {@link LogService} held to the same replies and rings. The
 * test thread is pinned to one CPU, so every run appends to that CPU's ring.
 */
class LogXdpTest {
    private static final int SLOTS = 4;

    private BitSet affinity;
    private int cpu;
    private BpfObject obj;
    private BpfProgram prog;
    private BpfMap stats;
    private RingStorage storage;
    private LogRings rings;

    @BeforeEach
    void load() {
        affinity = Cpu.affinity();
        cpu = Cpu.pinToOne();
        obj = LogObjects.load(SLOTS, Frames.SERVER_MAC, io.dint.server.Allowlist.ANY, null);
        prog = obj.program(LogObjects.PROGRAM);
        stats = obj.map("stats");
        storage = LogObjects.rings(obj, null);
        rings = storage.rings();
    }

    @AfterEach
    void close() {
        storage.close(false);
        obj.close();
        Cpu.pin(affinity);
    }

    /** Runs one request through the program: answered with XDP_TX, addresses swapped; returns the reply payload. */
    private byte[] run(byte[] req) {
        byte[] frame = Frames.udpTo(Wire.PORT).payload(req).build();
        TestRun r = prog.testRun(frame, 1);
        assertThat(r.verdict()).isEqualTo(Xdp.TX);
        int p = Frames.payloadOffset(frame);
        byte[] reply = Arrays.copyOfRange(r.output(), p, r.output().length);
        assertThat(r.output()).as("reply frame").isEqualTo(Frames.expectedReply(frame, reply));
        return reply;
    }

    private int append(long key, long version, long seq) {
        byte[] req = request(key, version, seq);
        byte[] reply = run(req);
        req[Wire.HDR_STATUS] = reply[Wire.HDR_STATUS];
        assertThat(reply).as("the reply is the request with a status").isEqualTo(req);
        return status(reply);
    }

    /** The record at position pos of ring r as {key, version, seq, client_id}, its value checked. */
    private static long[] record(LogRings rings, int r, long pos) {
        MemorySegment e = rings.entries().asSlice(rings.entry(r, pos), Wire.LOG_ENTRY_SIZE);
        long key = e.get(ValueLayout.JAVA_LONG, Wire.LOG_ENTRY_KEY);
        long version = e.get(ValueLayout.JAVA_LONG, Wire.LOG_ENTRY_VERSION);
        for (int i = 0; i < Wire.LOG_VALUE_SIZE / 8; i++) {
            assertThat(e.get(ValueLayout.JAVA_LONG, Wire.LOG_ENTRY_VALUE + 8L * i)).as("value word %d", i)
                    .isEqualTo(LogClient.valueWord(key, version, i));
        }
        return new long[] {key, version, e.get(ValueLayout.JAVA_LONG, Wire.LOG_ENTRY_SEQ),
            e.get(ValueLayout.JAVA_INT, Wire.LOG_ENTRY_CLIENT_ID)};
    }

    @Test
    void anAppendLandsInThisCpusRingAndIsAcked() {
        assertThat(append(5, 1, 100)).isEqualTo(Status.OK);
        assertThat(rings.head(cpu)).isEqualTo(1);
        assertThat(rings.pending()).as("nothing in any other ring").isEqualTo(1);
        assertThat(record(rings, cpu, 0)).containsExactly(5, 1, 100, 77);
        assertThat(stats.sumPerCpuLong(Stat.LOG_APPEND)).isEqualTo(1);
        assertThat(stats.sumPerCpuLong(Stat.TX)).isEqualTo(1);
    }

    @Test
    void aFullRingAnswersRetryAndOverwritesNothingUntilDrained() {
        for (int i = 1; i <= SLOTS; i++) {
            assertThat(append(i, i, i)).isEqualTo(Status.OK);
        }
        assertThat(append(9, 9, 9)).as("full").isEqualTo(Status.RETRY);
        assertThat(rings.head(cpu)).isEqualTo(SLOTS);
        assertThat(record(rings, cpu, 0)).as("the oldest record is intact").containsExactly(1, 1, 1, 77);
        rings.publishTail(cpu, 2); // the drainer has written the first two to the file
        assertThat(append(6, 6, 6)).isEqualTo(Status.OK);
        assertThat(append(7, 7, 7)).isEqualTo(Status.OK);
        assertThat(append(8, 8, 8)).as("full again").isEqualTo(Status.RETRY);
        assertThat(record(rings, cpu, 4)).as("slot 0, reused").containsExactly(6, 6, 6, 77);
        assertThat(record(rings, cpu, 5)).as("slot 1, reused").containsExactly(7, 7, 7, 77);
        assertThat(record(rings, cpu, 2)).as("undrained").containsExactly(3, 3, 3, 77);
        assertThat(record(rings, cpu, 3)).as("undrained").containsExactly(4, 4, 4, 77);
        assertThat(stats.sumPerCpuLong(Stat.LOG_FULL)).isEqualTo(2);
        assertThat(stats.sumPerCpuLong(Stat.LOG_APPEND)).isEqualTo(SLOTS + 2);
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        byte[] req = request(20, 1, 5);
        List<BadFrames.Case> cases = BadFrames.around(req);
        cases.add(BadFrames.badOp("unknown opcode", BadFrames.withOp(req, Op.MAX)));
        cases.add(BadFrames.badOp("opcode 0", BadFrames.withOp(req, 0)));
        cases.add(BadFrames.badOp("the opcode after LOG_APPEND", BadFrames.withOp(req, Op.LOG_APPEND + 1)));
        cases.add(BadFrames.badOp("an OCC opcode", BadFrames.withOp(req, Op.OCC_READ)));
        byte[] reply = req.clone();
        reply[Wire.HDR_STATUS] = (byte) Status.OK;
        cases.add(BadFrames.badOp("a reply sent to us", reply));
        BadFrames.assertNeverAnswered(prog, stats, cases);
        assertThat(rings.pending()).as("no bad frame was logged").isZero();
    }

    /**
     * The kernel's ring and a Java ring of the same size, fed the same appends and drained by the
     * same amounts in between: identical replies (RETRY included), identical records, cursors and
     * counters.
     */
    @Test
    void javaLogServiceAnswersAsTheKernelDoes() {
        try (Arena arena = Arena.ofConfined()) {
            LogRings java = new LogRings(arena.allocate((long) SLOTS * Wire.LOG_ENTRY_SIZE, 8),
                    arena.allocate(Wire.LOG_CURSOR_SIZE, 8), 1, SLOTS);
            LogService service = new LogService(java);
            long[] javaStats = new long[Stat.MAX];
            MemorySegment buf = arena.allocate(Wire.MAX_PAYLOAD);
            SplittableRandom rnd = new SplittableRandom(3);
            int retries = 0;
            for (int i = 0; i < 500; i++) {
                if (rnd.nextInt(4) == 0) {
                    long tail = rings.tail(cpu) + rnd.nextLong(rings.head(cpu) - rings.tail(cpu) + 1);
                    rings.publishTail(cpu, tail);
                    java.publishTail(0, tail);
                    continue;
                }
                byte[] req = request(rnd.nextLong(1000), i, i);
                byte[] kernel = run(req);
                MemorySegment.copy(MemorySegment.ofArray(req), 0, buf, 0, req.length);
                assertThat(service.serve(buf, req.length, javaStats)).isEqualTo(req.length);
                assertThat(buf.asSlice(0, req.length).toArray(ValueLayout.JAVA_BYTE)).as("reply %d", i).isEqualTo(kernel);
                retries += status(kernel) == Status.RETRY ? 1 : 0;
            }
            assertThat(retries).as("the sequence fills the ring").isPositive();
            assertThat(java.head(0)).isEqualTo(rings.head(cpu));
            for (long pos = java.tail(0); pos < java.head(0); pos++) {
                assertThat(record(java, 0, pos)).as("record %d", pos).containsExactly(record(rings, cpu, pos));
            }
            for (int s = 0; s < Stat.MAX; s++) {
                assertThat(javaStats[s]).as("counter %s", Stat.name(s)).isEqualTo(stats.sumPerCpuLong(s));
            }
        }
    }
}
