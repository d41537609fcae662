package io.dint.log;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.wire.Wire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The Java backend's log rings, in a file under /dev/shm mapped shared: memory that survives the
 * server process (not the machine), as the kernel's pinned maps do. Layout: a 4 KiB header page
 * {@code {u64 magic "DINTRING", u32 rings, u32 slots, u32 entry size, u32 cursor size}}, the
 * cursors, then the entries, page-aligned, each as in the kernel's maps.
 */
public final class ShmRings implements RingStorage {
    private static final long MAGIC = 0x474e4952544e4944L; // "DINTRING" little-endian
    private static final long PAGE = 4096;

    private final Path file;
    private final Arena arena;
    private final LogRings rings;

    private ShmRings(Path file, Arena arena, LogRings rings) {
        this.file = file;
        this.arena = arena;
        this.rings = rings;
    }

    /** /dev/shm/dint-log-NAME. */
    public static Path path(String name) {
        return Path.of("/dev/shm", "dint-log-" + name);
    }

    /** Maps the rings in {@code file}, creating them empty, or finding those a previous server left. */
    public static ShmRings open(Path file, int rings, int slots) {
        LogRings.checkSlots(slots);
        long cursorsAt = PAGE;
        long entriesAt = cursorsAt + align((long) rings * Wire.LOG_CURSOR_SIZE);
        long size = entriesAt + align((long) rings * slots * Wire.LOG_ENTRY_SIZE);
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            boolean fresh = ch.size() == 0;
            if (!fresh && ch.size() != size) {
                throw mismatch(file, rings, slots);
            }
            MemorySegment all = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            if (fresh) {
                all.set(JAVA_INT, 8, rings);
                all.set(JAVA_INT, 12, slots);
                all.set(JAVA_INT, 16, Wire.LOG_ENTRY_SIZE);
                all.set(JAVA_INT, 20, Wire.LOG_CURSOR_SIZE);
                all.set(JAVA_LONG, 0, MAGIC); // last: a file with the magic is complete
            } else if (all.get(JAVA_LONG, 0) != MAGIC || all.get(JAVA_INT, 8) != rings || all.get(JAVA_INT, 12) != slots
                    || all.get(JAVA_INT, 16) != Wire.LOG_ENTRY_SIZE || all.get(JAVA_INT, 20) != Wire.LOG_CURSOR_SIZE) {
                throw mismatch(file, rings, slots);
            }
            return new ShmRings(file, arena, new LogRings(all.asSlice(entriesAt), all.asSlice(cursorsAt, entriesAt - cursorsAt), rings, slots));
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot map the log rings " + file, e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static IllegalArgumentException mismatch(Path file, int rings, int slots) {
        return new IllegalArgumentException("the log rings in " + file + " were made for other settings than "
                + rings + " rings (server threads) of " + slots + " slots: serve with the settings that made them "
                + "to drain them, or delete the file (losing what it holds)");
    }

    private static long align(long n) {
        return (n + PAGE - 1) & -PAGE;
    }

    @Override
    public LogRings rings() {
        return rings;
    }

    @Override
    public String location() {
        return file.toString();
    }

    @Override
    public void close(boolean remove) {
        arena.close();
        if (remove) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the drained log rings " + file, e);
            }
        }
    }
}
