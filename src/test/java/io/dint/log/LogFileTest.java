package io.dint.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.testing.LogMessages;
import io.dint.wire.Wire;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rings drained to the log file, the file's recovery after a crash, and replay's verdicts. */
class LogFileTest {
    private static final int SLOTS = 8;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofConfined();
    private final LogRings rings = new LogRings(arena.allocate(2L * SLOTS * Wire.LOG_ENTRY_SIZE, 8),
            arena.allocate(2L * Wire.LOG_CURSOR_SIZE, 8), 2, SLOTS);

    @AfterEach
    void free() {
        arena.close();
    }

    private record Rec(int clientId, long seq, long key, long version) {}

    private static List<Rec> replay(Path file) {
        List<Rec> out = new ArrayList<>();
        LogReplay.read(file, (i, valid, clientId, seq, key, version, value) -> {
            if (valid) {
                for (int w = 0; w < Wire.LOG_VALUE_SIZE / 8; w++) {
                    assertThat(value.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * w)).isEqualTo(io.dint.log.LogClient.valueWord(key, version, w));
                }
                out.add(new Rec(clientId, seq, key, version));
            }
        });
        return out;
    }

    private void append(int ring, long key, long version, long seq) {
        assertThat(rings.append(ring, MemorySegment.ofArray(LogMessages.request(key, version, seq)))).isTrue();
    }

    /** A log file {@code name} holding {@code records} records, the i-th of key, version and seq i, appended to ring 0 and drained. */
    private Path drained(String name, int records) {
        Path file = dir.resolve(name);
        try (LogFile log = LogFile.open(file)) {
            for (int i = 0; i < records; i++) {
                append(0, i, i, i);
            }
            new LogDrainer(rings, log, FsyncPolicy.standard(), 0).close();
        }
        return file;
    }

    @Test
    void drainedRecordsReplayInRingOrderWithTheirRequestIds() {
        Path file = dir.resolve("a.dlog");
        try (LogFile log = LogFile.open(file)) {
            LogDrainer drainer = new LogDrainer(rings, log, FsyncPolicy.standard(), 0);
            append(0, 10, 1, 100);
            append(1, 11, 2, 101);
            append(0, 12, 3, 102);
            assertThat(drainer.drainOnce()).isEqualTo(3);
            assertThat(rings.pending()).as("tails moved once written").isZero();
            assertThat(drainer.drainOnce()).isZero();
            drainer.close();
            assertThat(log.records()).isEqualTo(3);
        }
        assertThat(replay(file)).containsExactly(new Rec(77, 100, 10, 1), new Rec(77, 102, 12, 3), new Rec(77, 101, 11, 2));
        LogReplay r = LogReplay.read(file);
        assertThat(r.toMap()).containsEntry("records", 3L).containsEntry("bad_checksums", 0L).containsEntry("duplicates", 0L)
                .containsEntry("ok", true);
    }

    @Test
    void anIdleDrainerParksLongerEachTimeUpToAMillisecondAndStillDrainsWhatArrives() {
        long base = 100_000;
        assertThat(LogDrainer.nextIdle(base, base)).isEqualTo(200_000);
        assertThat(LogDrainer.nextIdle(800_000, base)).as("capped").isEqualTo(LogDrainer.MAX_IDLE_NANOS);
        assertThat(LogDrainer.nextIdle(LogDrainer.MAX_IDLE_NANOS, base)).isEqualTo(LogDrainer.MAX_IDLE_NANOS);
        assertThat(LogDrainer.nextIdle(0, 0)).as("busy polling stays busy").isZero();
        assertThat(LogDrainer.nextIdle(5_000_000, 5_000_000)).as("a longer base is kept").isEqualTo(5_000_000);
        Path file = dir.resolve("idle.dlog");
        try (Arena shared = Arena.ofShared(); LogFile log = LogFile.open(file)) { // the drainer's own thread reads the rings
            LogRings rings = new LogRings(shared.allocate(SLOTS * Wire.LOG_ENTRY_SIZE, 8), shared.allocate(Wire.LOG_CURSOR_SIZE, 8), 1, SLOTS);
            LogDrainer drainer = new LogDrainer(rings, log, FsyncPolicy.standard(), base);
            drainer.start();
            for (int i = 0; i < 3; i++) {
                LockSupport.parkNanos(20_000_000); // empty rings: the drainer backs off to its cap
                assertThat(rings.append(0, MemorySegment.ofArray(LogMessages.request(20 + i, 1 + i, 200 + i)))).isTrue();
                assertThat(drainer.awaitDrained(10_000_000_000L)).as("record %d drained", i).isTrue();
            }
            drainer.close();
            assertThat(log.records()).isEqualTo(3);
        }
        assertThat(replay(file)).hasSize(3);
    }

    @Test
    void aFullJavaRingRefusesUntilDrainedAndWrapsAround() {
        Path file = dir.resolve("b.dlog");
        try (LogFile log = LogFile.open(file)) {
            LogDrainer drainer = new LogDrainer(rings, log, FsyncPolicy.standard(), 0);
            for (int i = 0; i < SLOTS; i++) {
                append(0, i, i, i);
            }
            assertThat(rings.append(0, MemorySegment.ofArray(LogMessages.request(99, 99, 99)))).as("full").isFalse();
            assertThat(drainer.drainOnce()).isEqualTo(SLOTS);
            for (int i = SLOTS; i < 2 * SLOTS; i++) {
                append(0, i, i, i);
            }
            drainer.close();
        }
        assertThat(replay(file)).extracting(Rec::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
    }

    @Test
    void aRetransmittedAppendIsReplayedAsADuplicate() {
        Path file = dir.resolve("c.dlog");
        try (LogFile log = LogFile.open(file)) {
            append(0, 10, 1, 100);
            append(0, 10, 1, 100); // the ACK was lost; the client sent the same request again
            append(0, 11, 2, 101);
            new LogDrainer(rings, log, FsyncPolicy.standard(), 0).close();
        }
        LogReplay r = LogReplay.read(file);
        assertThat(r.records()).isEqualTo(3);
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.distinct()).isEqualTo(2);
    }

    @Test
    void aRecordTornByACrashIsCutOffWhenTheFileIsReopened() throws IOException {
        Path file = drained("d.dlog", 5);
        long full = Files.size(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(full - 30); // the last write was cut short
        }
        assertThat(LogReplay.read(file).tornBytes()).isEqualTo(LogFile.RECORD_SIZE - 30);
        try (LogFile log = LogFile.open(file)) {
            assertThat(log.recoveredRecords()).isEqualTo(4);
            assertThat(log.truncatedBytes()).isEqualTo(LogFile.RECORD_SIZE - 30);
            append(1, 50, 50, 50);
            new LogDrainer(rings, log, FsyncPolicy.standard(), 0).close();
        }
        assertThat(replay(file)).extracting(Rec::seq).containsExactly(0L, 1L, 2L, 3L, 50L);
        assertThat(LogReplay.read(file).tornBytes()).isZero();
    }

    @Test
    void aCorruptRecordFailsItsChecksum() throws IOException {
        Path file = drained("e.dlog", 3);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = LogFile.HEADER_SIZE + LogFile.RECORD_SIZE + LogFile.KEY; // the middle record's key
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 1);
        }
        LogReplay r = LogReplay.read(file);
        assertThat(r.badChecksums()).isEqualTo(1);
        assertThat(r.ok()).isFalse();
        assertThat(replay(file)).extracting(Rec::seq).containsExactly(0L, 2L);
    }

    @Test
    void aFileThatIsNotALogIsRefused() throws IOException {
        Path file = dir.resolve("f.dlog");
        Files.writeString(file, "not a log, but long enough to have a header");
        assertThatThrownBy(() -> LogFile.open(file)).hasMessageContaining("is not a DINT commit log");
        assertThatThrownBy(() -> LogReplay.read(file)).hasMessageContaining("is not a DINT commit log");
    }

    @Test
    void theFsyncPolicySyncsByTimeOrCount() {
        FsyncPolicy p = new FsyncPolicy(Duration.ofMillis(10), 100);
        assertThat(p.due(0, Long.MAX_VALUE)).as("nothing to sync").isFalse();
        assertThat(p.due(1, 1_000_000)).isFalse();
        assertThat(p.due(1, 10_000_000)).isTrue();
        assertThat(p.due(100, 0)).isTrue();
        assertThatThrownBy(() -> new FsyncPolicy(Duration.ofMillis(-1), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ringsInSharedMemoryOutliveTheirMappingAndRefuseOtherSettings() {
        Path file = dir.resolve("rings");
        ShmRings a = ShmRings.open(file, 2, SLOTS);
        assertThat(a.rings().append(1, MemorySegment.ofArray(LogMessages.request(1, 1, 1)))).isTrue();
        a.close(false);
        ShmRings b = ShmRings.open(file, 2, SLOTS);
        assertThat(b.rings().pending()).as("what a crashed server left").isEqualTo(1);
        b.close(false);
        assertThatThrownBy(() -> ShmRings.open(file, 2, 2 * SLOTS)).hasMessageContaining("other settings");
        ShmRings.open(file, 2, SLOTS).close(true);
        assertThat(file).doesNotExist();
    }
}
