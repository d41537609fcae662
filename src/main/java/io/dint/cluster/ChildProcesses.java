package io.dint.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The JVMs a cluster runs on its hosts: each started under {@code ip netns exec} (and {@code
 * taskset} when the host has CPUs of its own) with its stderr in a log file, and all stopped
 * together — SIGTERM, then SIGKILL for those still running after a grace period.
 */
final class ChildProcesses {
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final String tag;
    private final Path logDir;
    private final Map<Process, Host> hostOf = new ConcurrentHashMap<>();
    private final AtomicInteger started = new AtomicInteger();
    private volatile boolean stopped;

    /** The children of cluster {@code tag}; their logs are named after it. */
    ChildProcesses(String tag) {
        this.tag = tag;
        this.logDir = defaultLogDir();
    }

    /** Where the children's stderr goes: {@code dint.log.dir}, else {@code target/cluster-logs}, else {@code /tmp/dint-logs}. */
    Path logDir() {
        return logDir;
    }

    /**
     * Starts {@code ip netns exec <ns> [taskset -c cpus] <this java> --enable-native-access=ALL-UNNAMED
     * -cp <classpath> <javaArgs...>} for {@code host}; {@code cpus} may be null. The classpath is
     * {@code dint.classpath}, else this JVM's.
     */
    Process start(Host host, String cpus, List<String> javaArgs) {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java binary runs this JVM"));
        String classpath = System.getProperty("dint.classpath", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(IpCommand.IP, "netns", "exec", host.netns()));
        if (cpus != null) {
            cmd.addAll(List.of("taskset", "-c", cpus));
        }
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath));
        cmd.addAll(javaArgs);
        Path log = logDir.resolve(tag + "-" + host.name() + "-" + started.incrementAndGet() + ".log");
        try {
            Files.createDirectories(logDir);
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            hostOf.put(p, host);
            ReadyLine.stderrGoesTo(p, log);
            if (stopped) { // stopAll() ran meanwhile and did not see it
                kill(List.of(p));
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start `" + String.join(" ", cmd) + "`", e);
        }
    }

    /** Pids of the live children started on hosts that {@code which} accepts, and of their descendants. */
    List<Long> pids(Predicate<Host> which) {
        List<Long> pids = new ArrayList<>();
        hostOf.forEach((p, h) -> {
            if (which.test(h) && p.isAlive()) {
                pids.add(p.pid());
                p.descendants().forEach(d -> pids.add(d.pid()));
            }
        });
        return pids;
    }

    /** Stops every child, and any started from now on. */
    void stopAll() {
        stopped = true;
        kill(List.copyOf(hostOf.keySet()));
    }

    private static void kill(List<Process> ps) {
        ps.forEach(Process::destroy);
        long deadline = System.nanoTime() + KILL_GRACE.toNanos();
        for (Process p : ps) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Path defaultLogDir() {
        String dir = System.getProperty("dint.log.dir");
        if (dir != null) {
            return Path.of(dir).toAbsolutePath();
        }
        Path target = Path.of("target");
        return Files.isDirectory(target) ? target.resolve("cluster-logs").toAbsolutePath() : Path.of("/tmp/dint-logs");
    }
}
