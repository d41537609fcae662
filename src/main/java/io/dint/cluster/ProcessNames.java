package io.dint.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Finds processes and kernel threads by name ({@code /proc/PID/comm}), as {@code pgrep} does. */
final class ProcessNames {
    private ProcessNames() {}

    /** Pids, in order, of every task whose name {@code comm} accepts. */
    static SortedSet<Long> pids(Predicate<String> comm) {
        SortedSet<Long> pids = new TreeSet<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (comm.test(Files.readString(p.resolve("comm")).trim())) {
                        pids.add(Long.parseLong(pid));
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
