package io.dint.bpf;

import static io.dint.sys.Libc.LIBC;

import io.dint.sys.Errno;
import io.dint.sys.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import java.util.List;
import java.util.stream.Stream;

/**
 * The BPF file system, where maps and links are pinned to outlive the process that made them.
 * Ours live under {@code /sys/fs/bpf/dint}.
 */
public final class BpfFs {

    static final Path ROOT = Path.of("/sys/fs/bpf");
    static final Path DIR = ROOT.resolve("dint");
    /**
     * The host's BPF file system bind-mounted outside /sys: {@code ip netns exec} remounts /sys in
     * a private mount namespace, where /sys/fs/bpf is empty and a bpffs mounted there dies with the
     * process; a mount made here beforehand is copied into that namespace and stays the host's.
     */
    static final Path SHARED = Path.of("/run/dint/bpffs");

    private BpfFs() {
    }

    /** Mounts the BPF file system at /sys/fs/bpf if nothing is, and returns /sys/fs/bpf/dint, created. */
    public static synchronized Path ensureMounted() {
        if (!mounted()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment bpf = arena.allocateFrom("bpf");
                int rc = LIBC.mount(bpf, arena.allocateFrom(ROOT.toString()), bpf, 0, MemorySegment.NULL);
                if (rc < 0) {
                    throw BpfException.of("mount -t bpf bpf " + ROOT + " failed", -rc,
                            "Run as root (CAP_SYS_ADMIN), or mount it beforehand");
                }
            }
        }
        try {
            Files.createDirectories(DIR);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + DIR, e);
        }
        return DIR;
    }

    /**
     * Makes the host's BPF file system reachable, at {@link #SHARED}, by processes started later
     * under {@code ip netns exec}. Call it in the host's mount namespace before starting them.
     */
    public static synchronized void shareWithNamespaces() {
        ensureMounted();
        if (mountedAt(SHARED)) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            Files.createDirectories(SHARED);
            int rc = LIBC.mount(arena.allocateFrom(ROOT.toString()), arena.allocateFrom(SHARED.toString()),
                    MemorySegment.NULL, Libc.MS_BIND, MemorySegment.NULL);
            if (rc < 0) {
                throw BpfException.of("mount --bind " + ROOT + " " + SHARED + " failed", -rc,
                        "Run as root (CAP_SYS_ADMIN)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + SHARED, e);
        }
    }

    /**
     * The directory for pins that must outlive this process: /sys/fs/bpf/dint of the host, reached
     * through {@link #SHARED} when this process runs where /sys was remounted (ip netns exec).
     */
    public static synchronized Path pinRoot() {
        if (!mounted() && mountedAt(SHARED)) {
            Path dir = SHARED.resolve(DIR.getFileName());
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dir, e);
            }
            return dir;
        }
        return ensureMounted();
    }

    /** Removes every pin under /sys/fs/bpf/dint whose name starts with {@code prefix}. */
    public static void removePins(String prefix) {
        if (!Files.isDirectory(DIR)) {
            return;
        }
        try (Stream<Path> entries = Files.list(DIR)) {
            for (Path entry : entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                deleteTree(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove pins " + DIR + "/" + prefix + "*", e);
        }
    }

    private static void deleteTree(Path path) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(path)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    static boolean mounted() {
        return mountedAt(ROOT);
    }

    private static boolean mountedAt(Path where) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[1].equals(where.toString()) && f[2].equals("bpf")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mounts", e);
        }
    }

    /**
     * Runs {@code call} (a libbpf pin, unpin or pin-path call, given the path as a C string) and
     * throws what it returned, naming {@code what}, with {@code hint}'s advice and libbpf's words.
     */
    static void pin(String what, Path path, ToIntFunction<MemorySegment> call, IntFunction<String> hint) {
        try (Arena arena = Arena.ofConfined(); LibbpfLog log = LibbpfLog.capture()) {
            int rc = call.applyAsInt(arena.allocateFrom(path.toString()));
            if (rc < 0) {
                throw BpfException.of(what + " failed", -rc, hint.apply(-rc), log);
            }
        }
    }

    /** What to do when a pin at a path failed with {@code errno}. */
    static String pinHint(int errno) {
        return switch (errno) {
            case Errno.EEXIST -> "Something is pinned there already: unpin it or BpfFs.removePins";
            case Errno.EINVAL, Errno.EPERM -> "The path must be on a mounted BPF file system: use BpfFs.ensureMounted()";
            case Errno.ENOENT -> "The parent directory does not exist: BpfFs.ensureMounted() creates "
                    + DIR + "; create subdirectories with Files.createDirectories";
            default -> "Pin under BpfFs.ensureMounted(), as root";
        };
    }
}
