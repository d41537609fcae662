package io.dint.bench;

import io.dint.backend.Backend;
import io.dint.client.ClientStats;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.server.ServerHandle;
import io.dint.server.ServerProcess;
import io.dint.txn.TxnDriver;
import io.dint.txn.TxnEngine;
import io.dint.txn.TxnWorkload;
import io.dint.wire.Wire;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./dint bench smallbank|tatp}: three shard servers (each primary for a third of the keys,
 * backup for the rest) and one client host on the local cluster; per backend the population is
 * loaded through the servers' insert path, then closed-loop coordinators sweep threads x
 * transactions in flight. After the sweep every check runs: the workload's own (ledger,
 * call-forwarding integrity and count, success rates), replicas agree, no lock left, each
 * replica's commit log replays to its records, each replica holds what committed transactions
 * wrote (every key's last committed write), and the recorded history of every committed
 * transaction is serializable. A reply the commit protocol does not allow stops its coordinator
 * ({@link TxnEngine.ProtocolViolation}) and fails the run. Per backend the figures
 * {@code <bench>.<backend>.protocol_errors} and {@code .check_failures} say how many (0 and 0 in a
 * passing run); any other value fails the report, and {@code ./dint bench} exits 2.
 */
public final class TxnBench {
    private TxnBench() {}

    /** Serve arguments of shard {@code index} for a backend. */
    public interface Servers {
        List<String> serveArgs(Backend backend);
    }

    public static BenchReport run(TxnWorkload workload, Servers servers, MicroBench.Config config, PrintStream out)
            throws Exception {
        return run(workload, servers, config, null, out);
    }

    /**
     * As {@link #run(TxnWorkload, Servers, MicroBench.Config, PrintStream)}; with a {@code deployment}
     * (not null) against its three servers, started elsewhere with its one backend and not yet
     * populated, instead of a local cluster's ({@code servers} is not used then).
     */
    public static BenchReport run(TxnWorkload workload, Servers servers, MicroBench.Config config, Deployment deployment,
                                  PrintStream out) throws Exception {
        if (deployment != null && deployment.servers().size() != TxnEngine.REPLICAS) {
            throw new IllegalArgumentException(workload.name() + " runs on " + TxnEngine.REPLICAS + " server hosts (3-way replication), "
                    + deployment.origin() + " has " + deployment.servers().size());
        }
        BenchReport report = new BenchReport(workload.name());
        report.scale().putAll(workload.scale());
        report.scale().put("server_hosts", TxnEngine.REPLICAS);
        report.scale().put("replication", "3-way, primary = key % 3");
        report.scale().put("client", config.client().description());
        report.scale().put("server_cpus", config.serverCpus());
        report.scale().put("core_split", config.split() == null ? "none: client and servers share every CPU" : config.split().describe());
        if (deployment != null) {
            report.scale().put("deployment", deployment.describe());
        }
        try (LocalCluster cluster = deployment != null ? null : LocalCluster.create(TxnEngine.REPLICAS, 1, config.split());
             AutoCloseable _ = config.split() == null ? () -> { } : config.split().pinThisProcessToClients()) {
            Host client = deployment != null ? deployment.client() : cluster.clients().getFirst();
            int[] addrs = (deployment != null ? deployment.servers() : cluster.servers()).stream().mapToInt(Host::ipv4).toArray();
            for (Backend kind : config.backends()) {
                String backend = kind.id();
                List<ServerHandle> procs = new ArrayList<>();
                try {
                    if (deployment != null) {
                        procs.addAll(deployment.handles(kind));
                        requireUnpopulated(deployment, procs);
                    }
                    for (Host h : deployment != null ? List.<Host>of() : cluster.servers()) { // the servers this bench starts
                        procs.add(new ServerProcess(cluster.serve(h, servers.serveArgs(kind)), Duration.ofSeconds(60)));
                    }
                    TxnDriver.Target target = new TxnDriver.Target(addrs, Wire.PORT, MicroBench.clientTimeoutNanos(),
                            client.netns(), i -> config.client().open(client, 64));
                    long t0 = System.nanoTime();
                    TxnDriver.Totals load;
                    try {
                        load = TxnDriver.load(workload, target, 1, 64);
                    } catch (IllegalStateException e) {
                        if (!(e.getCause() instanceof TxnEngine.ProtocolViolation v)) {
                            throw e;
                        }
                        out.printf("  %-5s population: %s%n", backend, v.getMessage());
                        outcome(report, backend, 1, List.of("population: " + v.getMessage()), List.of());
                        continue;
                    }
                    out.printf("  %-5s population: %d transactions in %.1f s%n", backend,
                            load.counter(ClientStats.COMMITTED), (System.nanoTime() - t0) / 1e9);
                    runSweep(workload, kind, addrs, client, cluster, procs, config, report, out, load);
                } finally {
                    procs.forEach(ServerHandle::close);
                }
            }
        }
        addServerCoreFigures(report, config.backends());
        return report;
    }

    /**
     * A shard is populated once, through its insert path, and the checks count from that
     * population: servers that already hold records (an earlier run) cannot be benchmarked again.
     */
    private static void requireUnpopulated(Deployment deployment, List<ServerHandle> procs) {
        for (int i = 0; i < procs.size(); i++) {
            Object records = procs.get(i).check().get("records");
            if (!(records instanceof Number n) || n.longValue() != 0) {
                throw new IllegalStateException("server " + deployment.servers().get(i).name() + " already holds " + records
                        + " records (an earlier run populated it): the checks count from a fresh population, so restart"
                        + " the servers (dint serve --cluster " + deployment.origin() + " --host NAME) before another run");
            }
        }
    }

    /**
     * Server CPU time per committed transaction at each backend's best point (the three shard
     * servers' CPUs together), and xdp over udp: lower is better.
     */
    static void addServerCoreFigures(BenchReport report, List<Backend> backends) {
        Map<Backend, Double> perTxn = new LinkedHashMap<>();
        for (Backend kind : backends) {
            String b = kind.id();
            if (report.points(b).isEmpty()) {
                continue;
            }
            LoadPoint best = report.bestTxn(b);
            double us = best.txnPerS() == 0 ? Double.NaN : best.serverCoreUsPerRequest() * best.repliesPerS() / best.txnPerS();
            perTxn.put(kind, us);
            report.addFigure(b, "server_core_us_per_txn", us);
        }
        if (perTxn.containsKey(Backend.XDP) && perTxn.containsKey(Backend.UDP)) {
            report.addFigure("ratio", "server_core_us_per_txn", perTxn.get(Backend.XDP) / perTxn.get(Backend.UDP));
        }
    }

    private static void runSweep(TxnWorkload workload, Backend kind, int[] addrs, Host client, LocalCluster cluster,
                                 List<ServerHandle> procs, MicroBench.Config config, BenchReport report, PrintStream out,
                                 TxnDriver.Totals load) throws Exception {
        String backend = kind.id();
        TxnRun run = new TxnRun(workload, addrs, load, TxnEngine.DEFAULT_GIVE_UP_NANOS);
        for (MicroBench.Shape shape : config.sweep()) {
            Progress.point(out, backend, shape.threads() + "x" + shape.inflight());
            LoadRunner.Measurement m = LoadRunner.run(client.netns(), shape.threads(),
                    run.workers(shape, () -> config.client().open(client, 64)), config.warmup(), config.window(), () -> sum(procs), cluster);
            LoadPoint p = LoadPoint.of(backend, shape, m);
            report.add(p);
            String slow = "";
            if (kind == Backend.XDP) {
                double share = KvBench.slowPathShare(m);
                report.addFigure(backend, "slow_path_share_" + shape.threads() + "x" + shape.inflight(), share);
                slow = String.format(java.util.Locale.ROOT, "  slow path %5.2f%%", 100 * share);
            }
            out.printf("  %-5s %2d thr x %3d txns in flight: %8.0f txn/s committed (%5.1f%% aborted)  %9.0f req/s"
                            + "  txn p50 %7.1f us  p99 %8.1f us  cpu %6.2f us/txn  server %6.2f us/txn (%3.0f%%)  client %3.0f%%%s%n",
                    backend, shape.threads(), shape.inflight(), p.txnPerS(), 100 * p.abortRate(), p.repliesPerS(),
                    p.txnP50Us(), p.txnP99Us(), p.txnPerS() == 0 ? Double.NaN : p.machineCpuUsPerRequest() * p.repliesPerS() / p.txnPerS(),
                    p.txnPerS() == 0 ? Double.NaN : p.serverCoreUsPerRequest() * p.repliesPerS() / p.txnPerS(),
                    100 * p.serverCoreBusyShare(), 100 * p.clientCoreBusyShare(), slow);
        }
        // checks at quiescence: LoadRunner has stopped every engine and let its transactions finish
        TxnRun.Verdict v = run.verdict(procs, null);
        report.checks().put(backend, v.result());
        List<String> violations = run.violations();
        outcome(report, backend, v.protocolErrors(), violations, v.failures());
        violations.forEach(x -> out.printf("  %-5s %s%n", backend, x));
        out.printf("  %-5s protocol errors: %d; checks: %s; %s%n", backend, v.protocolErrors(),
                v.failures().isEmpty() ? "all passed" : v.failures().size() + " FAILED", v.serial());
    }

    /**
     * Records a backend's verdict: the figures {@code protocol_errors} and {@code check_failures},
     * and a report failure for every protocol violation and failed check (any makes {@code ./dint
     * bench} exit 2). Protocol errors without a violation's description still fail the report.
     */
    public static void outcome(BenchReport report, String backend, long protocolErrors, List<String> violations,
                        List<String> checkFailures) {
        report.addFigure(backend, "protocol_errors", protocolErrors);
        report.addFigure(backend, "check_failures", checkFailures.size());
        violations.forEach(v -> report.fail(backend + ": " + v));
        if (protocolErrors > violations.size()) {
            report.fail(backend + ": " + protocolErrors + " replies the commit protocol does not allow");
        }
        checkFailures.forEach(f -> report.fail(backend + ": " + f));
    }

    /** The three servers' counters added up. */
    static Map<String, Object> sum(List<? extends ServerHandle> procs) {
        Map<String, Object> total = new LinkedHashMap<>();
        for (ServerHandle p : procs) {
            p.stats().forEach((k, v) -> {
                if (v instanceof Number n) {
                    total.merge(k, n.longValue(), (a, b) -> (Long) a + (Long) b);
                }
            });
        }
        return total;
    }
}
