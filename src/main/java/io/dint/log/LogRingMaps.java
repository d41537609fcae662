package io.dint.log;

import io.dint.bpf.BpfMap;
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
                        Files.deleteIfExists(pinDir.resolve(LogObject.RING));
                        Files.deleteIfExists(pinDir.resolve(LogObject.CURSOR));
                        Files.deleteIfExists(pinDir);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot unpin the drained log rings at " + pinDir, e);
                    }
                }
            }
        };
    }
}
