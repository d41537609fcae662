package io.dint.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.testing.LogMessages;
import io.dint.wire.Wire;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The commit-log file's readers (replay, and the recovery of open) on damaged files: bytes of
 * records overwritten and a torn tail. Neither throws on damaged records; replay counts exactly
 * the records whose bytes changed as bad and the tail as torn; open cuts the tail and a damaged
 * last record, nothing else; a damaged header is refused with a clear error.
 */
class LogReplayPropertyTest {
    private static final int SLOTS = 32;

    @Property(tries = 200)
    void damagedRecordsAreCountedAndNothingThrows(@ForAll long seed, @ForAll @IntRange(min = 1, max = SLOTS) int records,
                                                   @ForAll @IntRange(max = 8) int damaged, @ForAll @IntRange(max = 71) int torn)
            throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        Path file = Files.createTempFile("dint-replay", ".dlog");
        try {
            Files.delete(file);
            write(file, records);
            byte[] bytes = Files.readAllBytes(file);
            byte[] original = bytes.clone();
            for (int i = 0; i < damaged; i++) {
                bytes[LogFile.HEADER_SIZE + rnd.nextInt(records * LogFile.RECORD_SIZE)] = (byte) rnd.nextInt();
            }
            TreeSet<Integer> changed = new TreeSet<>();
            for (int r = 0; r < records; r++) {
                int from = LogFile.HEADER_SIZE + r * LogFile.RECORD_SIZE;
                if (!Arrays.equals(bytes, from, from + LogFile.RECORD_SIZE, original, from, from + LogFile.RECORD_SIZE)) {
                    changed.add(r);
                }
            }
            byte[] tail = new byte[torn];
            rnd.nextBytes(tail);
            byte[] damagedFile = Arrays.copyOf(bytes, bytes.length + torn);
            System.arraycopy(tail, 0, damagedFile, bytes.length, torn);
            Files.write(file, damagedFile);

            LogReplay r = LogReplay.read(file);
            assertThat(r.records()).isEqualTo(records);
            assertThat(r.badChecksums()).as("records damaged: %s", changed).isEqualTo(changed.size());
            assertThat(r.tornBytes()).isEqualTo(torn);

            try (LogFile log = LogFile.open(file)) {
                boolean lastDamaged = changed.contains(records - 1);
                assertThat(log.records()).isEqualTo(records - (lastDamaged ? 1 : 0));
                assertThat(log.truncatedBytes()).isEqualTo(torn + (lastDamaged ? LogFile.RECORD_SIZE : 0));
            }
            assertThat(Files.size(file)).as("cut back to whole records").isEqualTo(
                    LogFile.HEADER_SIZE + (long) (records - (changed.contains(records - 1) ? 1 : 0)) * LogFile.RECORD_SIZE);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Property(tries = 50)
    void aDamagedHeaderIsRefused(@ForAll @IntRange(max = 15) int at, @ForAll @IntRange(min = 1, max = 255) int xor) throws IOException {
        Path file = Files.createTempFile("dint-replay", ".dlog");
        try {
            Files.delete(file);
            write(file, 2);
            byte[] bytes = Files.readAllBytes(file);
            bytes[at] ^= (byte) xor;
            Files.write(file, bytes);
            assertThatThrownBy(() -> LogReplay.read(file)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a DINT commit log");
            assertThatThrownBy(() -> LogFile.open(file).close()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a DINT commit log");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A log of {@code n} records, through a ring and the drainer as a server writes it. */
    private static void write(Path file, int n) {
        try (Arena arena = Arena.ofConfined(); LogFile log = LogFile.open(file)) {
            LogRings rings = new LogRings(arena.allocate((long) SLOTS * Wire.LOG_ENTRY_SIZE, 8),
                    arena.allocate(Wire.LOG_CURSOR_SIZE, 8), 1, SLOTS);
            for (int i = 0; i < n; i++) {
                assertThat(rings.append(0, MemorySegment.ofArray(LogMessages.request(i, i + 1, i)))).isTrue();
            }
            new LogDrainer(rings, log, FsyncPolicy.standard(), 0).close();
        }
    }
}
