package io.dint.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Threaded NAPI: moves an interface's receive poll into a kernel thread {@code napi/<dev>-<id>} and
 * pins that thread to chosen CPUs. The interface must already receive in NAPI (a veth does once it
 * has an XDP program or GRO on). The thread is found as the one that appears when threading is
 * turned on; a lock file keeps two of our processes from doing that at once. The thread ends with
 * its interface, so deleting the namespace undoes everything.
 */
final class NapiThreads {
    private static final Path LOCK = Path.of("/run/dint/napi.lock");

    private NapiThreads() {}

    /** Turns on threaded NAPI for {@code dev} in {@code netns} (null: this process's) and pins its threads to {@code cpus}. */
    static List<Long> threadAndPin(String netns, String dev, String cpus) {
        Set<Long> before;
        Set<Long> after;
        try {
            Files.createDirectories(LOCK.getParent());
            try (FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock _ = ch.lock()) {
                before = napiThreads(dev);
                try {
                    List<String> echo = List.of("sh", "-c", "echo 1 > /sys/class/net/" + dev + "/threaded");
                    List<String> cmd = new java.util.ArrayList<>();
                    if (netns != null) { // null: this process's own namespace
                        cmd.addAll(List.of(IpCommand.IP, "netns", "exec", netns));
                    }
                    cmd.addAll(echo);
                    IpCommand.run(cmd, null);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("cannot turn on threaded NAPI for " + dev + " in " + netns
                            + " (the interface needs NAPI: an XDP program or GRO on): " + e.getMessage(), e);
                }
                after = napiThreads(dev);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + LOCK, e);
        }
        after.removeAll(before);
        if (after.isEmpty()) {
            throw new IllegalStateException("threaded NAPI is on for " + dev + " in " + netns + " but no napi/" + dev
                    + "-* kernel thread appeared");
        }
        for (long pid : after) {
            IpCommand.run(List.of("taskset", "-p", "-c", cpus, Long.toString(pid)), null);
        }
        return List.copyOf(after);
    }

    /** Turns threaded NAPI off for {@code dev} in {@code netns}: its polls run in softirq again, on the CPU that scheduled them. */
    static void unthread(String netns, String dev) {
        IpCommand.run(List.of(IpCommand.IP, "netns", "exec", netns, "sh", "-c", "echo 0 > /sys/class/net/" + dev + "/threaded"), null);
    }

    /** Pids of the kernel threads named {@code napi/<dev>-*}. */
    private static Set<Long> napiThreads(String dev) {
        Set<Long> pids = new HashSet<>();
        String prefix = "napi/" + dev + "-";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (Files.readString(p.resolve("comm")).trim().startsWith(prefix)) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return pids;
    }
}
