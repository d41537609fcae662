package io.dint.bench;

import io.dint.backend.Backend;
import io.dint.client.ClientStats;
import io.dint.client.UdpTransport;
import io.dint.cluster.Host;
import io.dint.cluster.CoreSplit;
import io.dint.cluster.LocalCluster;
import io.dint.kv.KvClient;
import io.dint.kv.KvDataSet;
import io.dint.kv.KvPolicy;
import io.dint.kv.KvTrace;
import io.dint.server.ServerProcess;
import io.dint.wire.Wire;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./dint bench kv-ablation}: the paper's Table 1 — each cache policy (write-through,
 * write-back, write-back + Bloom filter) under three workloads (100% GET with every key present,
 * 80% GET with every key present, 80% GET with 31% present: TATP's CALL_FORWARDING population),
 * the XDP backend at one client shape, printed as a 3x3 table of requests/s with the share of
 * requests that took the slow path in each cell.
 */
public final class KvAblation {
    private KvAblation() {}

    /** The table's rows. */
    enum Row {
        GET100_ALL("100% GET, all keys exist", 1.0, KvDataSet.Population.ALL, new double[] {21.6, 21.7, 21.7}),
        GET80_ALL("80% GET, all keys exist", 0.8, KvDataSet.Population.ALL, new double[] {1.0, 21.1, 20.9}),
        GET80_SOME("80% GET, 31% of keys exist", 0.8, KvDataSet.Population.TATP, new double[] {0.4, 0.5, 25.0});

        final String label;
        final double getFraction;
        final KvDataSet.Population population;
        final double[] paperMops; // write-through, write-back, write-back + Bloom

        Row(String label, double getFraction, KvDataSet.Population population, double[] paperMops) {
            this.label = label;
            this.getFraction = getFraction;
            this.population = population;
            this.paperMops = paperMops;
        }

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The table's columns, in the paper's order. */
    static final List<KvPolicy> COLUMNS = List.of(KvPolicy.WRITE_THROUGH, KvPolicy.WRITE_BACK, KvPolicy.WRITE_BACK_BLOOM);

    record Cell(double requestsPerS, double slowPathShare, double p50Us, double p99Us, long protocolErrors) {}

    public static BenchReport run(long subscribers, double cacheRatio, int serverThreads, MicroBench.Shape shape,
                                  Duration warmup, Duration window, PrintStream out) throws Exception {
        return run(subscribers, cacheRatio, serverThreads, shape, warmup, window, null, out);
    }

    /**
     * With a CPU split the in-kernel load generator drives the server ({@code shape.threads() *
     * shape.inflight()} in flight) on the client CPUs; without one, Java socket clients do.
     */
    public static BenchReport run(long subscribers, double cacheRatio, int serverThreads, MicroBench.Shape shape,
                                  Duration warmup, Duration window, CoreSplit split, PrintStream out) throws Exception {
        BenchReport report = new BenchReport("kv-ablation");
        report.scale().put("subscribers", subscribers);
        report.scale().put("key_universe", subscribers * KvDataSet.KEYS_PER_SUBSCRIBER);
        report.scale().put("value_bytes", Wire.KV_VALUE_SIZE);
        report.scale().put("cache_slots_per_key", cacheRatio);
        report.scale().put("client_shape", shape.threads() + "x" + shape.inflight());
        report.scale().put("server_threads", serverThreads);
        report.scale().put("backend", Backend.XDP.id());
        report.scale().put("client", split == null ? MicroBench.Client.SOCKET.description() : MicroBench.Client.KERNEL.description());
        report.scale().put("core_split", split == null ? "none" : split.describe());
        Map<Row, Map<KvPolicy, Cell>> cells = new LinkedHashMap<>();
        try (LocalCluster cluster = LocalCluster.create(1, 1, split);
             AutoCloseable _ = split == null ? () -> { } : split.pinThisProcessToClients()) {
            Host server = cluster.servers().getFirst();
            Host client = cluster.clients().getFirst();
            for (KvDataSet.Population population : KvDataSet.Population.values()) {
                for (KvPolicy policy : COLUMNS) {
                    List<String> args = new ArrayList<>(List.of("--service", "kv", "--backend", Backend.XDP.id(),
                            "--subscribers", Long.toString(subscribers), "--population", population.id(),
                            "--cache-ratio", Double.toString(cacheRatio), "--cache", policy.id(), "--threads", Integer.toString(serverThreads)));
                    try (ServerProcess proc = new ServerProcess(cluster.serve(server, args),
                            KvBench.startTimeout(subscribers * KvDataSet.KEYS_PER_SUBSCRIBER).plusSeconds(60))) {
                        for (Row row : Row.values()) {
                            if (row.population != population) {
                                continue;
                            }
                            Progress.point(out, policy.id(), row.id());
                            KvTrace trace = KvTrace.generate(subscribers, row.getFraction, KvBench.TRACE_LENGTH, 11);
                            LoadRunner.Measurement m;
                            if (split != null) {
                                try (KernelClient k = KernelClient.start(KernelClient.Service.KV, shape.threads() * shape.inflight(),
                                        MicroBench.clientTimeoutNanos(), client, server, KvBench.kernelTrace(trace), MicroBench.KERNEL_CLIENT_ID)) {
                                    m = LoadRunner.run(k, warmup, window, proc::stats, cluster);
                                }
                            } else {
                                m = LoadRunner.run(client.netns(), shape.threads(), (index, stats) ->
                                        new KvClient(new UdpTransport(client.ipv4(), Math.min(64, shape.inflight()), 2048), stats, trace,
                                                index + 1, server.ipv4(), Wire.PORT, shape.inflight(), index * (trace.length() / shape.threads()),
                                                MicroBench.clientTimeoutNanos(), 0),
                                        warmup, window, proc::stats);
                            }
                            LoadPoint p = LoadPoint.of(policy.id(), shape, m);
                            Cell c = new Cell(p.repliesPerS(), KvBench.slowPathShare(m), p.p50Us(), p.p99Us(), p.protocolErrors());
                            cells.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(policy, c);
                            out.printf(Locale.ROOT, "  %-17s %-27s %9.0f req/s  slow path %6.2f%%  p50 %6.1f us  p99 %7.1f us%n",
                                    policy.id(), row.label, c.requestsPerS(), 100 * c.slowPathShare(), c.p50Us(), c.p99Us());
                            if (c.protocolErrors() > 0) {
                                report.fail(policy.id() + " / " + row.label + ": " + c.protocolErrors() + " protocol errors");
                            }
                        }
                        report.check(policy.id() + "/" + population.id(), proc.check(), "ok", "the cache disagrees with the store");
                    }
                }
            }
        }
        print(cells, out);
        record(cells, report);
        return report;
    }

    private static void print(Map<Row, Map<KvPolicy, Cell>> cells, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "%-28s %24s %24s %24s%n", "requests/s (slow path)", "write-through", "write-back", "write-back + Bloom");
        for (Row row : Row.values()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s", row.label));
            for (KvPolicy p : COLUMNS) {
                Cell c = cells.get(row).get(p);
                line.append(String.format(Locale.ROOT, " %14.0f (%6.2f%%)", c.requestsPerS(), 100 * c.slowPathShare()));
            }
            out.println(line);
        }
        out.println("paper, Mops (8 cores, 100 GbE):");
        for (Row row : Row.values()) {
            out.printf(Locale.ROOT, "%-28s %24.1f %24.1f %24.1f%n", row.label, row.paperMops[0], row.paperMops[1], row.paperMops[2]);
        }
    }

    private static void record(Map<Row, Map<KvPolicy, Cell>> cells, BenchReport report) {
        Map<String, Object> table = new LinkedHashMap<>();
        Map<String, Object> paper = new LinkedHashMap<>();
        for (Row row : Row.values()) {
            Map<String, Object> r = new LinkedHashMap<>();
            Map<String, Object> mops = new LinkedHashMap<>();
            for (KvPolicy p : COLUMNS) {
                Cell c = cells.get(row).get(p);
                r.put(p.id(), c);
                mops.put(p.id(), row.paperMops[COLUMNS.indexOf(p)]);
                report.addFigure(p.id(), row.id() + "_requests_per_s", c.requestsPerS());
                report.addFigure(p.id(), row.id() + "_slow_path_share", c.slowPathShare());
            }
            table.put(row.label, r);
            paper.put(row.label, mops);
        }
        report.details().put("table", table);
        report.details().put("paper_mops", paper); // the reference a report sets beside the table
    }
}
