package io.dint.bpf;

import static io.dint.sys.Libc.LIBC;

import io.dint.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps the kernel counting every BPF program's run time and run count
 * ({@link BpfProgram#stats()}) while open. Counting costs a few nanoseconds per run, so it is off
 * unless something asks.
 */
public final class BpfStats implements AutoCloseable {

    /** The bpf(2) command (enum bpf_cmd). */
    static final long BPF_ENABLE_STATS = 32;
    private static final Path SYSCTL = Path.of("/proc/sys/kernel/bpf_stats_enabled");

    private int fd;
    /** The sysctl value to restore when the fallback was used, else null. */
    private String previousSysctl;

    private BpfStats(int fd, String previousSysctl) {
        this.fd = fd;
        this.previousSysctl = previousSysctl;
    }

    /**
     * Turns statistics on: BPF_ENABLE_STATS(BPF_STATS_RUN_TIME), whose fd keeps them on until
     * closed (or the process exits); where the syscall is refused, the kernel.bpf_stats_enabled
     * sysctl, restored on close.
     */
    public static BpfStats enable() {
        int errno;
        try (Arena arena = Arena.ofConfined()) {
            // enable_stats.type = BPF_STATS_RUN_TIME (0); the kernel takes an attr as short as its last member
            MemorySegment attr = arena.allocate(BpfStructs.BPF_ATTR_ENABLE_STATS);
            long fd = LIBC.syscall(Libc.SYS_BPF, BPF_ENABLE_STATS, attr, attr.byteSize());
            if (fd >= 0) {
                return new BpfStats((int) fd, null);
            }
            errno = (int) -fd;
        }
        try {
            String previous = Files.readString(SYSCTL).strip();
            Files.writeString(SYSCTL, "1");
            return new BpfStats(-1, previous);
        } catch (IOException | SecurityException e) {
            throw new BpfException("cannot turn BPF statistics on: BPF_ENABLE_STATS failed with "
                    + BpfException.describe(errno) + " and writing " + SYSCTL + " with " + e
                    + ". Run as root (CAP_SYS_ADMIN)", errno, e);
        }
    }

    /** Turns statistics off again, unless another holder keeps them on. Harmless when repeated. */
    @Override
    public void close() {
        if (fd >= 0) {
            LIBC.close(fd);
            fd = -1;
        }
        if (previousSysctl != null) {
            try {
                Files.writeString(SYSCTL, previousSysctl);
            } catch (IOException e) {
                throw new BpfException("cannot restore " + SYSCTL + " to " + previousSysctl + ": " + e
                        + ". Write it by hand (sysctl kernel.bpf_stats_enabled=" + previousSysctl + ")", 0, e);
            }
            previousSysctl = null;
        }
    }
}
