package io.dint.bench;

import io.dint.backend.Backend;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.server.ServerProcess;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The three shard servers of a chaos run, and the kills: every so often one of them (in turn) is
 * killed with SIGKILL and started again. A <b>slow-path</b> kill ends an xdp shard's Java process
 * while its XDP program goes on serving from the pinned maps; the restarted process attaches to
 * them again. A <b>server</b> kill ends the process and removes everything it kept in memory and
 * in pinned maps, as if the machine had died, leaving only its commit-log file; the restarted
 * server recovers from that file and from its replicas before it serves (README, "Recovery").
 */
public final class ServerKills implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(120);

    private final LocalCluster cluster;
    private final TxnBench.Servers servers;
    private final Backend backend;
    private final Kill kind;
    private final PrintStream out;
    private final Path state;
    private final List<ServerProcess> procs = new ArrayList<>();
    private final AtomicLong kills = new AtomicLong();
    private final List<Map<String, Object>> heapAtRestart = new ArrayList<>(java.util.Arrays.asList(null, null, null));

    private ServerKills(LocalCluster cluster, TxnBench.Servers servers, Backend backend, Kill kind, PrintStream out, Path state) {
        this.cluster = cluster;
        this.servers = servers;
        this.backend = backend;
        this.kind = kind;
        this.out = out;
        this.state = state;
    }

    /** Starts the three shards of {@code backend} side by side and waits until they serve. */
    static ServerKills start(LocalCluster cluster, TxnBench.Servers servers, Backend backend, Kill kind, PrintStream out)
            throws java.io.IOException {
        ServerKills k = new ServerKills(cluster, servers, backend, kind, out,
                java.nio.file.Files.createTempDirectory("dint-chaos-" + backend + "-"));
        try {
            List<Process> started = new ArrayList<>();
            for (int i = 0; i < cluster.servers().size(); i++) {
                started.add(cluster.startDint(cluster.servers().get(i), k.args(i, false)));
            }
            for (Process p : started) {
                k.procs.add(new ServerProcess(p, START));
            }
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
        return k;
    }

    /**
     * The serve command of shard {@code i}: its log file, its pinned maps (xdp) or its log rings
     * (udp, afxdp) have fixed names so that a restart finds them; its replicas are the others.
     * {@code recover}: it lost everything but its log file, and recovers from the replicas.
     */
    private List<String> args(int i, boolean recover) {
        List<String> a = new ArrayList<>(List.of("serve"));
        a.addAll(servers.serveArgs(backend));
        a.addAll(List.of("--log", state.resolve("shard-" + i + ".log").toString()));
        List<String> peers = new ArrayList<>();
        for (int p = 0; p < cluster.servers().size(); p++) {
            if (p != i) {
                peers.add(cluster.servers().get(p).address());
            }
        }
        a.addAll(List.of("--peers", String.join(",", peers)));
        a.addAll(List.of(backend == Backend.XDP ? "--pin" : "--ring", name(i)));
        if (recover) {
            a.add("--recover");
        }
        return a;
    }

    /**
     * Shard i's name for its pinned maps or rings: this cluster's tag, so that runs side by side
     * never share them ('.' becomes '_': the BPF file system refuses names with a dot).
     */
    private String name(int i) {
        return "chaos-" + cluster.tag().replace('.', '_') + "-" + i;
    }

    /** The current processes of shards 0, 1, 2. */
    synchronized List<ServerProcess> processes() {
        return List.copyOf(procs);
    }

    /** The shards' counters added up (a shard being restarted counts nothing). */
    Map<String, Object> stats() {
        List<ServerProcess> alive = new ArrayList<>();
        for (ServerProcess p : processes()) {
            if (p.process().isAlive()) {
                alive.add(p);
            }
        }
        try {
            return TxnBench.sum(alive);
        } catch (IllegalStateException e) {
            return Map.of(); // one died meanwhile: a kill
        }
    }

    long kills() {
        return kills.get();
    }

    /** True when shard {@code i} was restarted since it started. */
    synchronized boolean restarted(int i) {
        return heapAtRestart.get(i) != null;
    }

    /** The heap after GC of shard {@code i} when it last restarted. */
    synchronized Map<String, Object> heapAtRestart(int i) {
        return heapAtRestart.get(i);
    }

    /** Waits until every shard serves (after a restart). */
    void awaitServing(Duration timeout) {
        // restarts are synchronous in the schedule: once it is closed every shard serves
    }

    /** A schedule of kills: one every {@code every}, shards in turn, until closed. */
    Schedule every(Duration every) {
        return new Schedule(every);
    }

    /** Kills in the background until closed; a restart under way when it is closed is finished first. */
    final class Schedule implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;

        private Schedule(Duration every) {
            if (kind == Kill.NONE) {
                thread = null;
                return;
            }
            thread = Thread.ofPlatform().name("dint-kills").start(() -> {
                int next = 0;
                long at = System.nanoTime() + every.toNanos();
                while (!stop) {
                    if (System.nanoTime() < at) {
                        LockSupport.parkNanos(20_000_000L);
                        continue;
                    }
                    killAndRestart(next);
                    next = (next + 1) % cluster.servers().size();
                    at = System.nanoTime() + every.toNanos();
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            if (thread != null) {
                thread.join();
            }
        }
    }

    /**
     * Kills shard i with SIGKILL and starts it again: after a slow-path kill the new process takes
     * the pinned maps over (its XDP program served meanwhile); after a server kill everything but
     * the log file is removed first — pinned maps, XDP link, TC filter, records in /dev/shm, log
     * rings — and the new process recovers from its log and its replicas.
     */
    private void killAndRestart(int i) {
        if (kind == Kill.SLOW_PATH && backend != Backend.XDP) {
            if (kills.get() == 0 && !warned) {
                warned = true;
                out.printf("  %-5s slow-path kills: this backend has no slow path (it serves in one process); none made%n", backend);
            }
            return;
        }
        ServerProcess old;
        synchronized (this) {
            old = procs.get(i);
        }
        long t0 = System.nanoTime();
        old.process().destroyForcibly();
        try {
            old.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        kills.incrementAndGet();
        if (kind == Kill.SERVER) {
            removeVolatileState(i);
        }
        ServerProcess fresh = new ServerProcess(cluster.startDint(host(i), args(i, kind == Kill.SERVER)), START);
        Map<String, Object> heap = fresh.heapAfterGc();
        synchronized (this) {
            procs.set(i, fresh);
            heapAtRestart.set(i, heap);
        }
        out.printf("  %-5s killed shard %d (%s) and restarted it in %.1f s%s%n", backend, i, kind.id(), (System.nanoTime() - t0) / 1e9,
                fresh.ready().containsKey("recovered") ? ": " + fresh.ready().get("recovered") : "");
    }

    private boolean warned;

    /** What a dead machine loses: everything of shard i but its log file. */
    private void removeVolatileState(int i) {
        if (backend == Backend.XDP) {
            Path pins = io.dint.shard.ShardObject.pinDir(name(i));
            try {
                if (java.nio.file.Files.isDirectory(pins)) {
                    try (var files = java.nio.file.Files.list(pins)) {
                        for (Path f : files.toList()) {
                            java.nio.file.Files.deleteIfExists(f); // the XDP link's pin too: detached
                        }
                    }
                    java.nio.file.Files.deleteIfExists(pins);
                }
                java.nio.file.Files.deleteIfExists(Path.of("/dev/shm", "dint-shard-" + name(i)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot remove the state of shard " + i, e);
            }
            try {
                cluster.exec(host(i), "tc", "qdisc", "del", "dev", host(i).iface(), "clsact");
            } catch (IllegalStateException e) {
                // no TC filter left: nothing to remove
            }
        } else {
            try {
                java.nio.file.Files.deleteIfExists(io.dint.log.ShmRings.path(name(i)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot remove the log rings of shard " + i, e);
            }
        }
    }

    @Override
    public synchronized void close() {
        procs.forEach(ServerProcess::close);
        for (int i = 0; i < cluster.servers().size(); i++) {
            try {
                if (kind != Kill.NONE || !procs.isEmpty()) {
                    removeLeftovers(i);
                }
            } catch (RuntimeException e) {
                // best effort: the cluster's namespaces go anyway
            }
        }
        ChaosBench.deleteTree(state);
    }

    /** A shard that did not stop on request leaves its pinned maps and rings: remove them. */
    private void removeLeftovers(int i) {
        if (backend == Backend.XDP) {
            Path pins = io.dint.shard.ShardObject.pinDir(name(i));
            if (java.nio.file.Files.isDirectory(pins) || java.nio.file.Files.exists(Path.of("/dev/shm", "dint-shard-" + name(i)))) {
                removeVolatileState(i);
            }
        } else {
            removeVolatileState(i);
        }
    }

    /** {@code chaos-<pid base 36>_<n>-<shard>}: the names of chaos runs' pinned shards, rings and records. */
    private static final java.util.regex.Pattern OWNED = java.util.regex.Pattern.compile("chaos-([0-9a-z]{1,13})_[0-9]+-[0-9]+");

    /**
     * Removes the pinned maps, records and log rings of chaos runs whose process is gone (a run
     * killed before it could stop its shards); returns how many shards' worth.
     */
    public static int cleanLeftovers() {
        int n = 0;
        List<Path> found = new ArrayList<>();
        for (Path dir : List.of(io.dint.bpf.BpfFs.pinRoot(), Path.of("/dev/shm"))) {
            try (var files = java.nio.file.Files.list(dir)) {
                files.forEach(found::add);
            } catch (java.io.IOException e) {
                // nothing there
            }
        }
        for (Path f : found) {
            String name = f.getFileName().toString().replaceFirst("^(shard-|dint-shard-|dint-log-)", "");
            java.util.regex.Matcher m = OWNED.matcher(name);
            if (!m.matches() || name.equals(f.getFileName().toString())
                    || ProcessHandle.of(Long.parseLong(m.group(1), 36)).isPresent()) {
                continue;
            }
            try {
                if (java.nio.file.Files.isDirectory(f)) {
                    try (var files = java.nio.file.Files.list(f)) {
                        for (Path p : files.toList()) {
                            java.nio.file.Files.deleteIfExists(p);
                        }
                    }
                }
                java.nio.file.Files.deleteIfExists(f);
                n++;
            } catch (java.io.IOException e) {
                // best effort
            }
        }
        return n;
    }

    /** The host of shard i. */
    Host host(int i) {
        return cluster.servers().get(i);
    }
}
