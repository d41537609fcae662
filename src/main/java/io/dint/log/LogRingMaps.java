package io.dint.log;

import io.dint.bpf.BpfMap;
import io.dint.bpf.ObjectSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An object with the kernel's log rings ({@code dint_xdp.h}'s {@code log_ring} and {@code
 * log_cursor}): the log service's and a shard's.
 */
public interface LogRingMaps {
    /** The rings' C name. */
    String RING = "log_ring";
    /** The cursors' C name. */
    String CURSOR = "log_cursor";

    /** {@code spec} with its rings sized: {@code slots} records (a power of two) per possible CPU. */
    static ObjectSpec sized(ObjectSpec spec, int slots) {
        LogRings.checkSlots(slots);
        int cpus = BpfMap.possibleCpus();
        return spec.size(RING, cpus * slots).size(CURSOR, cpus);
    }
    /** Every CPU's ring of records, one after the other. */
    BpfMap ring();

    /** Each CPU's cursor. */
    BpfMap cursor();

    /**
     * The rings mapped into this process; they stay mapped after the object closes. With a {@code
     * pinDir} (where they are pinned as {@code log_ring} and {@code log_cursor}), closing them with
     * {@code remove} unpins them.
     */
    default RingStorage rings(Path pinDir) {
        return rings(ring(), cursor(), pinDir);
    }

    /** {@link #rings(Path)} of the maps {@code ring} and {@code cursor}. */
    static RingStorage rings(BpfMap ring, BpfMap cursor, Path pinDir) {
        Arena arena = Arena.ofShared();
        LogRings rings;
        try {
            rings = new LogRings(ring.mmap(arena), cursor.mmap(arena), cursor.maxEntries(),
                    ring.maxEntries() / cursor.maxEntries());
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        String location = pinDir == null ? "unpinned maps" : pinDir.toString();
        return new RingStorage() {
            @Override
            public LogRings rings() {
                return rings;
            }

            @Override
            public String location() {
                return location;
            }

            @Override
            public void close(boolean remove) {
                arena.close();
                if (remove && pinDir != null) {
                    try {
                        Files.deleteIfExists(pinDir.resolve(RING));
                        Files.deleteIfExists(pinDir.resolve(CURSOR));
                        Files.deleteIfExists(pinDir);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot unpin the drained log rings at " + pinDir, e);
                    }
                }
            }
        };
    }
}
