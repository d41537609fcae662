package io.dint.bench;

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

/**
 * The three shard servers of a chaos run, and the kills: every so often one of them (in turn) is
 * killed with SIGKILL and started again. A <b>slow-path</b> kill ends an xdp shard's Java process
 * while its XDP program goes on serving from the pinned maps; the restarted process attaches to
 * them again. A <b>server</b> kill ends the process and removes everything it kept in memory and
 * in pinned maps, as if the machine had died, leaving only its commit-log file; the restarted
 * server recovers from that file and from its replicas before it serves (README, "Recovery").
 */
final class ServerKills implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(120);

    private final LocalCluster cluster;
    private final TxnBench.Servers servers;
    private final String backend;
    private final Kill kind;
    private final PrintStream out;
    private final Path state;
    private final List<ServerProcess> procs = new ArrayList<>();
    private final AtomicLong kills = new AtomicLong();
    private final List<Map<String, Object>> heapAtRestart = new ArrayList<>(java.util.Arrays.asList(null, null, null));

    private ServerKills(LocalCluster cluster, TxnBench.Servers servers, String backend, Kill kind, PrintStream out, Path state) {
        this.cluster = cluster;
        this.servers = servers;
        this.backend = backend;
        this.kind = kind;
        this.out = out;
        this.state = state;
    }

    /** Starts the three shards of {@code backend} side by side and waits until they serve. */
    static ServerKills start(LocalCluster cluster, TxnBench.Servers servers, String backend, Kill kind, PrintStream out)
            throws java.io.IOException {
        ServerKills k = new ServerKills(cluster, servers, backend, kind, out,
                java.nio.file.Files.createTempDirectory("dint-chaos-" + backend + "-"));
        try {
            List<Process> started = new ArrayList<>();
            for (int i = 0; i < cluster.servers().size(); i++) {
                started.add(cluster.start(cluster.servers().get(i), k.args(i, false)));
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

    /** The serve command of shard {@code i}: its log file and pinned state have fixed names so that a restart finds them. */
    private List<String> args(int i, boolean restart) {
        List<String> a = new ArrayList<>(List.of("io.dint.cli.Main", "serve"));
        a.addAll(servers.serveArgs(backend));
        a.addAll(List.of("--log", state.resolve("shard-" + i + ".log").toString()));
        return a;
    }

    /** The current processes of shards 0, 1, 2. */
    synchronized List<ServerProcess> processes() {
        return List.copyOf(procs);
    }

    /** The shards' counters added up (a shard being restarted counts nothing). */
    Map<String, Object> stats() {
        return TxnBench.sum(processes());
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

    /** Kills in the background until closed. */
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
                try {
                    while (!stop) {
                        Thread.sleep(every.toMillis());
                        if (stop) {
                            return;
                        }
                        killAndRestart(next);
                        next = (next + 1) % cluster.servers().size();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            if (thread != null) {
                thread.interrupt();
                thread.join();
            }
        }
    }

    private void killAndRestart(int i) {
        throw new UnsupportedOperationException("kills of " + kind.id() + " are not built yet");
    }

    @Override
    public synchronized void close() {
        procs.forEach(ServerProcess::close);
        ChaosBench.deleteTree(state);
    }

    /** The host of shard i. */
    Host host(int i) {
        return cluster.servers().get(i);
    }
}
