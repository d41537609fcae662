package io.dint.log;

import io.dint.bpf.BpfFs;
import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Handle;
import io.dint.server.Allowlist;
import io.dint.server.ServiceObject;
import java.nio.file.Path;

/**
 * {@code log.bpf.o} loaded: its XDP program and its log rings — one ring of records per possible
 * CPU ({@code log_ring}) and each ring's cursor ({@code log_cursor}) — pinned under {@code
 * /sys/fs/bpf/dint/log-NAME/} so that a crashed server's successor drains them.
 */
public record LogObject(BpfObject object, @Handle(LogObject.PROGRAM) BpfProgram xdp, @Handle(RING) BpfMap ring,
        @Handle(CURSOR) BpfMap cursor) implements ServiceObject, LogRingMaps {
    /** The XDP program's C name. */
    public static final String PROGRAM = "log_xdp";

    /** Where the rings named {@code name} are pinned. */
    public static Path pinDir(String name) {
        return BpfFs.pinRoot().resolve("log-" + name);
    }

    /**
     * Loads the log object with {@code slots} records per CPU ring, answering frames sent to
     * {@code mac} (all zero: any frame) from the sources {@code allow} allows. With a {@code
     * pinDir}, its rings are pinned there, or the rings already pinned there are taken over.
     */
    public static LogObject load(int slots, byte[] mac, Allowlist allow, Path pinDir) {
        return LogRingMaps.sized(ServiceObject.spec("log", mac, slots, allow), slots).pin(pinDir, RING, CURSOR)
                .load(LogObject.class);
    }
}
