package io.dint.bench;

import io.dint.check.History;
import io.dint.check.SerializabilityChecker;
import io.dint.client.ClientStats;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
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
import java.util.SplittableRandom;

/**
 * {@code ./dint bench smallbank|tatp}: three shard servers (each primary for a third of the keys,
 * backup for the rest) and one client host on the local cluster; per backend the population is
 * loaded through the servers' insert path, then closed-loop coordinators sweep threads x
 * transactions in flight. After the sweep every check runs: the workload's own (ledger,
 * call-forwarding integrity and count, success rates), replicas agree, no lock left, and the
 * recorded history of every committed transaction is serializable.
 */
public final class TxnBench {
    private TxnBench() {}

    /** Serve arguments of shard {@code index} for a backend. */
    public interface Servers {
        List<String> serveArgs(String backend);
    }

    public static BenchReport run(TxnWorkload workload, Servers servers, MicroBench.Config config, PrintStream out)
            throws Exception {
        BenchReport report = new BenchReport(workload.name());
        report.scale().putAll(workload.scale());
        report.scale().put("server_hosts", TxnEngine.REPLICAS);
        report.scale().put("replication", "3-way, primary = key % 3");
        report.scale().put("client", config.client().description());
        try (LocalCluster cluster = LocalCluster.create(TxnEngine.REPLICAS, 1)) {
            Host client = cluster.clients().getFirst();
            int[] addrs = cluster.servers().stream().mapToInt(Host::ipv4).toArray();
            for (String backend : config.backends()) {
                List<ServerProcess> procs = new ArrayList<>();
                try {
                    for (Host h : cluster.servers()) {
                        procs.add(new ServerProcess(cluster.serve(h, servers.serveArgs(backend)), Duration.ofSeconds(60)));
                    }
                    TxnDriver.Target target = new TxnDriver.Target(addrs, Wire.PORT, MicroBench.clientTimeoutNanos(),
                            client.netns(), i -> config.client().open(client, 64));
                    long t0 = System.nanoTime();
                    TxnDriver.Totals load = TxnDriver.load(workload, target, 1, 64);
                    out.printf("  %-5s population: %d transactions in %.1f s%n", backend,
                            load.counter(ClientStats.COMMITTED), (System.nanoTime() - t0) / 1e9);
                    runSweep(workload, backend, addrs, client, procs, config, report, out);
                } finally {
                    procs.forEach(ServerProcess::close);
                }
            }
        }
        return report;
    }

    private static void runSweep(TxnWorkload workload, String backend, int[] addrs, Host client, List<ServerProcess> procs,
                                 MicroBench.Config config, BenchReport report, PrintStream out) throws Exception {
        List<TxnEngine> engines = new ArrayList<>();
        List<History> histories = new ArrayList<>();
        int seed = 0;
        for (MicroBench.Shape shape : config.sweep()) {
            int base = seed;
            seed += shape.threads();
            LoadRunner.Measurement m = LoadRunner.run(client.netns(), shape.threads(), (index, stats) ->
                    MicroBench.closing(config.client().open(client, 64), transport -> {
                        History h = new History();
                        TxnEngine e = new TxnEngine(transport, stats,
                                workload.transactions(new SplittableRandom(base + index), shape.inflight(), 0),
                                workload.protocol(), 1000 + base + index, addrs, Wire.PORT, shape.inflight(),
                                MicroBench.clientTimeoutNanos(), true, h);
                        synchronized (engines) {
                            engines.add(e);
                            histories.add(h);
                        }
                        return e;
                    }), config.warmup(), config.window(), () -> sum(procs));
            LoadPoint p = LoadPoint.of(backend, shape, m);
            report.add(p);
            String slow = "";
            if (backend.equals("xdp")) {
                double share = KvBench.slowPathShare(m);
                report.addFigure(backend, "slow_path_share_" + shape.threads() + "x" + shape.inflight(), share);
                slow = String.format(java.util.Locale.ROOT, "  slow path %5.2f%%", 100 * share);
            }
            out.printf("  %-5s %2d thr x %3d txns in flight: %8.0f txn/s committed (%5.1f%% aborted)  %9.0f req/s"
                            + "  txn p50 %7.1f us  p99 %8.1f us  cpu %6.2f us/txn%s%n",
                    backend, shape.threads(), shape.inflight(), p.txnPerS(), 100 * p.abortRate(), p.repliesPerS(),
                    p.txnP50Us(), p.txnP99Us(), p.txnPerS() == 0 ? Double.NaN : p.machineCpuUsPerRequest() * p.repliesPerS() / p.txnPerS(),
                    slow);
        }
        // checks at quiescence: LoadRunner has stopped every engine and let its transactions finish
        long ledger = 0;
        long[] committed = new long[workload.typeNames().length];
        long[] rolledBack = new long[committed.length];
        History all = new History();
        for (int i = 0; i < engines.size(); i++) {
            TxnEngine e = engines.get(i);
            ledger += e.ledgerDelta();
            for (int t = 0; t < committed.length; t++) {
                committed[t] += e.committed(t);
                rolledBack[t] += e.rolledBack(t);
            }
            all.addAll(histories.get(i));
        }
        List<Map<String, Object>> checks = new ArrayList<>();
        for (ServerProcess proc : procs) {
            checks.add(proc.check());
        }
        List<String> failures = workload.check(checks, ledger, committed, rolledBack);
        SerializabilityChecker.Result serial = SerializabilityChecker.check(all);
        if (!serial.serializable()) {
            failures = new ArrayList<>(failures);
            failures.add(serial.toString());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("serializability", serial.toString());
        result.put("workload_checks", failures.isEmpty() ? "all passed" : failures);
        Map<String, Object> types = new LinkedHashMap<>();
        for (int t = 0; t < committed.length; t++) {
            types.put(workload.typeNames()[t], Map.of("committed", committed[t], "rolled_back", rolledBack[t]));
        }
        result.put("types", types);
        result.put("servers", checks);
        report.checks().put(backend, result);
        failures.forEach(f -> report.fail(backend + ": " + f));
        out.printf("  %-5s checks: %s; %s%n", backend, failures.isEmpty() ? "all passed" : failures.size() + " FAILED", serial);
    }

    /** The three servers' counters added up. */
    private static Map<String, Object> sum(List<ServerProcess> procs) {
        Map<String, Object> total = new LinkedHashMap<>();
        for (ServerProcess p : procs) {
            p.stats().forEach((k, v) -> {
                if (v instanceof Number n) {
                    total.merge(k, n.longValue(), (a, b) -> (Long) a + (Long) b);
                }
            });
        }
        return total;
    }
}
