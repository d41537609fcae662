package io.dint.log;

import io.dint.bpf.BpfException;
import io.dint.bpf.BpfFs;
import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.server.Allowlist;
import io.dint.server.XdpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads {@code log.bpf.o} — one ring of {@code slots} records per possible CPU — with its rings
 * pinned under {@code /sys/fs/bpf/dint/log-NAME/} (reused when a crashed server left them there),
 * and maps the rings into this process.
 */
public final class LogObjects {
    private LogObjects() {}

    public static final String PROGRAM = "log_xdp";
    static final String RING = "log_ring";
    static final String CURSOR = "log_cursor";

    /** Where the rings named {@code name} are pinned. */
    public static Path pinDir(String name) {
        return BpfFs.pinRoot().resolve("log-" + name);
    }

    /**
     * Opens and loads the log object with {@code slots} records per CPU ring, answering frames sent
     * to {@code mac} (all zero: any frame) from the sources {@code allow} allows. With a {@code pinDir}, its rings are pinned there, or
     * the rings already pinned there are taken over.
     */
    public static BpfObject load(int slots, byte[] mac, Allowlist allow, Path pinDir) {
        LogRings.checkSlots(slots);
        int cpus = BpfMap.possibleCpus();
        BpfObject obj = BpfObject.openBundled("log");
        try {
            obj.map(RING).setMaxEntries(cpus * slots);
            obj.map(CURSOR).setMaxEntries(cpus);
            XdpServer.configure(obj, mac, slots, allow);
            if (pinDir != null) {
                Files.createDirectories(pinDir);
                obj.map(RING).setPinPath(pinDir.resolve("ring"));
                obj.map(CURSOR).setPinPath(pinDir.resolve("cursor"));
            }
            try {
                obj.load();
            } catch (BpfException e) {
                if (pinDir == null) {
                    throw e;
                }
                throw new IllegalStateException("cannot load the log rings pinned at " + pinDir + ": if they were made with "
                        + "other settings (ring slots, CPUs), serve with those to drain them, or remove the directory "
                        + "(losing what it holds). " + e.getMessage(), e);
            }
            allow.fill(obj);
            return obj;
        } catch (IOException e) {
            obj.close();
            throw new UncheckedIOException("cannot create " + pinDir, e);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** The loaded object's rings, mapped into this process; they stay mapped after the object closes. */
    public static RingStorage rings(BpfObject obj, Path pinDir) {
        Arena arena = Arena.ofShared();
        BpfMap ring = obj.map(RING);
        BpfMap cursor = obj.map(CURSOR);
        LogRings rings = new LogRings(ring.mmap(arena), cursor.mmap(arena), cursor.maxEntries(),
                ring.maxEntries() / cursor.maxEntries());
        return new RingStorage() {
            @Override
            public LogRings rings() {
                return rings;
            }

            @Override
            public String location() {
                return pinDir == null ? "unpinned maps of " + obj.fileName() : pinDir.toString();
            }

            @Override
            public void close(boolean remove) {
                arena.close();
                if (remove && pinDir != null) {
                    try {
                        Files.deleteIfExists(pinDir.resolve("ring"));
                        Files.deleteIfExists(pinDir.resolve("cursor"));
                        Files.deleteIfExists(pinDir);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot unpin the drained log rings at " + pinDir, e);
                    }
                }
            }
        };
    }
}
