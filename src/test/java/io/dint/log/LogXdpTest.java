package io.dint.log;

import static io.dint.testing.LogMessages.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.server.StatCounters;
import io.dint.testing.BadFrames;
import io.dint.testing.Cpu;
import io.dint.testing.Messages;
import io.dint.testing.ServiceProgram;
import io.dint.testing.XdpCase;
import io.dint.testing.XdpFixture;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The log XDP program through BPF_PROG_TEST_RUN, with its rings mapped into the test as the
 * drainer maps them, as tables of rows: what an append writes where, a full ring refusing to
 * overwrite, malformed frames never answered; and the Java {@link LogService} held to the same
 * replies and rings. The test thread is pinned to one CPU, so every run appends to that CPU's ring.
 */
class LogXdpTest {
    private static final int SLOTS = 4;

    @RegisterExtension
    final XdpFixture xdp = XdpFixture.of(ServiceProgram.LOG, ServiceProgram.LOG.settings().size(SLOTS));

    private BitSet affinity;
    private int cpu;
    private RingStorage storage;
    private LogRings rings;

    @BeforeEach
    void mapRings() {
        affinity = Cpu.affinity();
        cpu = Cpu.pinToOne();
        storage = LogRingMaps.rings(xdp.object().map(LogObject.RING), xdp.object().map(LogObject.CURSOR), null);
        rings = storage.rings();
    }

    @AfterEach
    void unmapRings() {
        storage.close(false);
        Cpu.pin(affinity);
    }

    /** A row: an append of {@code key} at {@code version} with {@code seq}, answered with the request itself and {@code status}. */
    private static XdpCase append(String description, long key, long version, long seq, int status) {
        return XdpCase.request(description, request(key, version, seq)).answers(status)
                .counts(status == Status.OK ? Stat.LOG_APPEND : Stat.LOG_FULL);
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

    private long[] record(long pos) {
        return record(rings, cpu, pos);
    }

    @Test
    void anAppendLandsInThisCpusRingAndIsAcked() {
        xdp.run(append("an append", 5, 1, 100, Status.OK)
                .leaves("this CPU's head", () -> rings.head(cpu), 1L)
                .leaves("records in every ring", () -> rings.pending(), 1L)
                .leaves("the record", () -> record(0), new long[] {5, 1, 100, 77}));
        assertThat(xdp.stat(Stat.LOG_APPEND)).isEqualTo(1);
        assertThat(xdp.stat(Stat.TX)).isEqualTo(1);
    }

    @Test
    void aFullRingAnswersRetryAndOverwritesNothingUntilDrained() {
        for (int i = 1; i <= SLOTS; i++) {
            xdp.run(append("append " + i, i, i, i, Status.OK));
        }
        xdp.run(append("full", 9, 9, 9, Status.RETRY)
                .leaves("this CPU's head", () -> rings.head(cpu), (long) SLOTS)
                .leaves("the oldest record is intact", () -> record(0), new long[] {1, 1, 1, 77}));
        rings.publishTail(cpu, 2); // the drainer has written the first two to the file
        xdp.run(
            append("into slot 0, drained", 6, 6, 6, Status.OK).leaves("slot 0, reused", () -> record(4), new long[] {6, 6, 6, 77}),
            append("into slot 1, drained", 7, 7, 7, Status.OK).leaves("slot 1, reused", () -> record(5), new long[] {7, 7, 7, 77}),
            append("full again", 8, 8, 8, Status.RETRY)
                    .leaves("undrained", () -> record(2), new long[] {3, 3, 3, 77})
                    .leaves("undrained", () -> record(3), new long[] {4, 4, 4, 77}));
        assertThat(xdp.stat(Stat.LOG_FULL)).isEqualTo(2);
        assertThat(xdp.stat(Stat.LOG_APPEND)).isEqualTo(SLOTS + 2);
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        BadFrames.assertNeverAnswered(xdp, BadFrames.of(ServiceProgram.LOG, request(20, 1, 5), Status.OK));
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
                byte[] kernel = xdp.answer(req);
                assertThat(kernel).as("the reply is the request with a status").isEqualTo(Messages.withStatus(req, Messages.status(kernel)));
                MemorySegment.copy(MemorySegment.ofArray(req), 0, buf, 0, req.length);
                assertThat(service.serve(buf, req.length, javaStats)).isEqualTo(req.length);
                assertThat(buf.asSlice(0, req.length).toArray(ValueLayout.JAVA_BYTE)).as("reply %d", i).isEqualTo(kernel);
                retries += Messages.status(kernel) == Status.RETRY ? 1 : 0;
            }
            assertThat(retries).as("the sequence fills the ring").isPositive();
            assertThat(java.head(0)).isEqualTo(rings.head(cpu));
            for (long pos = java.tail(0); pos < java.head(0); pos++) {
                assertThat(record(java, 0, pos)).as("record %d", pos).containsExactly(record(pos));
            }
            assertThat(StatCounters.of(javaStats)).as("the counters").isEqualTo(xdp.counters());
        }
    }
}
