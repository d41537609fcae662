package io.dint.bench;

import io.dint.backend.Backend;
import io.dint.client.ClientStats;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.cluster.WireFaults;
import io.dint.server.ServerProcess;
import io.dint.shard.RecordFile;
import io.dint.txn.TxnDriver;
import io.dint.txn.TxnEngine;
import io.dint.txn.TxnWorkload;
import io.dint.txn.UnknownTxns;
import io.dint.wire.Wire;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./dint chaos}: a transaction workload on three shard servers of each backend, fault-free,
 * then — on the same servers, same client shape, same length — with faults: frames dropped,
 * duplicated and reordered on the wire ({@link WireFaults}) and, if asked, shard processes killed
 * and restarted ({@link ServerKills}), then fault-free again. {@code throughput_vs_fault_free} is
 * the faulty window's throughput over the mean of the two fault-free ones, so that warm-up and the
 * drift of a shared machine's load weigh on both sides alike. Then every end-of-run check over the
 * whole history (population, fault-free and faulty windows): the workload's, the replicas against the
 * committed writes key by key, each replica's commit log, locks, serializability. Figures per
 * workload and backend, {@code chaos.<workload>.<backend>.}: {@code check_failures},
 * {@code lost_committed}, {@code injected_drops}, {@code injected_dups}, {@code injected_reorders},
 * {@code kills}, {@code throughput_vs_fault_free}, and {@code unknown_outcomes}.
 *
 * <p><b>lost_committed</b> counts committed transactions (as their coordinators learned it, and
 * those of unknown outcome that every replica logged) of which some replica lacks a write that
 * no later committed write of the same key superseded: the replica's record of that key, or the
 * record its commit log replays to, is older than the write, or has its version with other
 * content. It is computed key by key from the records every replica writes out at quiescence.
 */
public final class ChaosBench {
    private ChaosBench() {}

    /** What to inject and how long to measure. */
    public record Config(List<Backend> backends, MicroBench.Shape shape, Duration warmup, Duration window,
                         WireFaults.Faults faults, Kill kill, Duration killEvery, Duration giveUp,
                         MicroBench.Client client) {
        public Config {
            if (kill != Kill.NONE && (killEvery == null || killEvery.isZero() || killEvery.isNegative())) {
                throw new IllegalArgumentException("kills need a positive interval (--every SECONDS)");
            }
        }
    }

    public static BenchReport run(TxnWorkload workload, TxnBench.Servers servers, Config cfg, PrintStream out) throws Exception {
        BenchReport report = new BenchReport("chaos." + workload.name());
        report.scale().putAll(workload.scale());
        report.scale().put("server_hosts", TxnEngine.REPLICAS);
        report.scale().put("client", cfg.client().description());
        report.scale().put("shape", cfg.shape().threads() + "x" + cfg.shape().inflight());
        report.scale().put("window_s", cfg.window().toMillis() / 1000.0);
        report.scale().put("faults", Map.of("drop", cfg.faults().drop(), "duplicate", cfg.faults().duplicate(),
                "reorder", cfg.faults().reorder()));
        report.scale().put("kill", cfg.kill().id());
        report.scale().put("core_split", "none: wire faults act on frames crossing the Linux bridge");
        Path dumps = Files.createTempDirectory("dint-chaos-");
        try (LocalCluster cluster = LocalCluster.create(TxnEngine.REPLICAS, 1);
             WireFaults faults = WireFaults.attach(cluster)) {
            for (Backend backend : cfg.backends()) {
                runBackend(workload, servers, cfg, cluster, faults, backend, report, out, dumps);
            }
        } finally {
            deleteTree(dumps);
        }
        return report;
    }

    private static void runBackend(TxnWorkload workload, TxnBench.Servers servers, Config cfg, LocalCluster cluster,
                                   WireFaults faults, Backend kind, BenchReport report, PrintStream out, Path dumps)
            throws Exception {
        String backend = kind.id();
        Host client = cluster.clients().getFirst();
        int[] addrs = cluster.servers().stream().mapToInt(Host::ipv4).toArray();
        faults.setAll(WireFaults.Faults.NONE);
        try (ServerKills shards = ServerKills.start(cluster, servers, kind, cfg.kill(), out)) {
            TxnDriver.Target target = new TxnDriver.Target(addrs, Wire.PORT, MicroBench.clientTimeoutNanos(),
                    client.netns(), i -> cfg.client().open(client, 64));
            long t0 = System.nanoTime();
            TxnDriver.Totals load = TxnDriver.load(workload, target, 1, 64);
            out.printf("  %-5s population: %d transactions in %.1f s%n", backend, load.counter(ClientStats.COMMITTED),
                    (System.nanoTime() - t0) / 1e9);
            TxnRun run = new TxnRun(workload, addrs, load, cfg.giveUp().toNanos());

            LoadRunner.Measurement clean = LoadRunner.run(client.netns(), cfg.shape().threads(),
                    run.workers(cfg.shape(), () -> cfg.client().open(client, 64)), cfg.warmup(), cfg.window(), shards::stats);
            LoadPoint p0 = LoadPoint.of(backend, cfg.shape(), clean);
            print(out, backend, "fault-free", p0);

            Map<String, Long> before = faults.counters();
            faults.setAll(cfg.faults());
            LoadRunner.Measurement faulty;
            try (ServerKills.Schedule kills = shards.every(cfg.killEvery())) {
                faulty = LoadRunner.run(client.netns(), cfg.shape().threads(),
                        run.workers(cfg.shape(), () -> cfg.client().open(client, 64)), cfg.warmup(), cfg.window(), shards::stats);
            }
            boolean quiet = run.awaitQuiescence(Duration.ofSeconds(120));
            faults.setAll(WireFaults.Faults.NONE);
            Map<String, Long> after = faults.counters();
            LoadPoint p1 = LoadPoint.of(backend, cfg.shape(), faulty);
            print(out, backend, "faulty", p1);
            if (!quiet) {
                report.fail(backend + ": coordinators still ran 120 s after the faulty window: a transaction cannot finish");
            }
            LoadPoint p2 = LoadPoint.of(backend, cfg.shape(), LoadRunner.run(client.netns(), cfg.shape().threads(),
                    run.workers(cfg.shape(), () -> cfg.client().open(client, 64)), cfg.warmup(), cfg.window(), shards::stats));
            print(out, backend, "fault-free", p2);
            double faultFree = (p0.txnPerS() + p2.txnPerS()) / 2;
            double ratio = faultFree == 0 ? Double.NaN : p1.txnPerS() / faultFree;
            Judged j = judge(run, shards, backend, dumps);
            report.checks().put(backend, j.verdict().result());
            report.details().put(backend, detail(p0, p1, p2, before, after, shards.kills(), j.reconciliation(), run));
            TxnBench.outcome(report, backend, j.verdict().protocolErrors(), run.violations(), j.failures());
            report.addFigure(backend, "lost_committed", j.reconciliation().lostCommitted());
            report.addFigure(backend, "injected_drops", after.get("dropped") - before.get("dropped"));
            report.addFigure(backend, "injected_dups", after.get("duplicated") - before.get("duplicated"));
            report.addFigure(backend, "injected_reorders", after.get("reordered") - before.get("reordered"));
            report.addFigure(backend, "kills", shards.kills());
            report.addFigure(backend, "throughput_vs_fault_free", ratio);
            report.addFigure(backend, "unknown_outcomes", run.counter(ClientStats.UNKNOWN));
            out.printf(Locale.ROOT, "  %-5s injected: %d dropped, %d duplicated, %d reordered of %d frames; %d kills; %d unknown outcomes;"
                            + " throughput %.2fx fault-free (the mean of before and after)%n", backend,
                    after.get("dropped") - before.get("dropped"), after.get("duplicated") - before.get("duplicated"),
                    after.get("reordered") - before.get("reordered"), after.get("seen") - before.get("seen"), shards.kills(),
                    run.counter(ClientStats.UNKNOWN), ratio);
            j.print(out, backend);
        }
    }

    /**
     * {@code ./dint chaos --soak}: one workload on one backend for {@code length} with the faults
     * (and kills) on, the coordinators restarted every {@code interval} so that each interval's
     * throughput is measured on its own; the heap after a full collection of every Java process
     * (the three shards and this one) after the population and at the end, and every check over
     * the whole run. Figures {@code soak.<workload>.<backend>.}: {@code intervals},
     * {@code min_txn_per_s}, {@code mean_txn_per_s}, {@code server_heap_growth_bytes} (the largest
     * growth of a shard's heap; a shard restarted by a kill is measured from its restart), plus
     * the chaos figures. A shard's heap that grew by more than {@link #HEAP_GROWTH_LIMIT} fails
     * the run.
     */
    public static BenchReport soak(TxnWorkload workload, TxnBench.Servers servers, Config cfg, Backend kind, Duration length,
                                   Duration interval, PrintStream out) throws Exception {
        String backend = kind.id();
        BenchReport report = new BenchReport("soak." + workload.name());
        report.scale().putAll(workload.scale());
        report.scale().put("shape", cfg.shape().threads() + "x" + cfg.shape().inflight());
        report.scale().put("minutes", length.toMillis() / 60_000.0);
        report.scale().put("faults", Map.of("drop", cfg.faults().drop(), "duplicate", cfg.faults().duplicate(),
                "reorder", cfg.faults().reorder()));
        report.scale().put("kill", cfg.kill().id());
        Path dumps = Files.createTempDirectory("dint-soak-");
        try (LocalCluster cluster = LocalCluster.create(TxnEngine.REPLICAS, 1);
             WireFaults faults = WireFaults.attach(cluster);
             ServerKills shards = ServerKills.start(cluster, servers, kind, cfg.kill(), out)) {
            Host client = cluster.clients().getFirst();
            int[] addrs = cluster.servers().stream().mapToInt(Host::ipv4).toArray();
            TxnDriver.Target target = new TxnDriver.Target(addrs, Wire.PORT, MicroBench.clientTimeoutNanos(),
                    client.netns(), i -> cfg.client().open(client, 64));
            TxnDriver.Totals load = TxnDriver.load(workload, target, 1, 64);
            TxnRun run = new TxnRun(workload, addrs, load, cfg.giveUp().toNanos());
            List<Map<String, Object>> heapStart = heaps(shards);
            long benchStart = ((Number) io.dint.server.ServerControl.heapAfterGc().get("heap_used_bytes")).longValue();
            out.printf("  heap after GC at start: shards %s, this process %d MB%n", megabytes(heapStart), benchStart >> 20);
            Map<String, Long> before = faults.counters();
            faults.setAll(cfg.faults());
            List<Double> rates = new ArrayList<>();
            long end = System.nanoTime() + length.toNanos();
            try (ServerKills.Schedule kills = shards.every(cfg.killEvery())) {
                for (int i = 1; System.nanoTime() < end; i++) {
                    LoadRunner.Measurement m = LoadRunner.run(client.netns(), cfg.shape().threads(),
                            run.workers(cfg.shape(), () -> cfg.client().open(client, 64)), Duration.ZERO, interval, shards::stats);
                    LoadPoint p = LoadPoint.of(backend, cfg.shape(), m);
                    rates.add(p.txnPerS());
                    print(out, backend, "interval " + i, p);
                }
            }
            boolean quiet = run.awaitQuiescence(Duration.ofSeconds(120));
            faults.setAll(WireFaults.Faults.NONE);
            Map<String, Long> after = faults.counters();
            if (!quiet) {
                report.fail(backend + ": coordinators still ran 120 s after the soak: a transaction cannot finish");
            }
            shards.awaitServing(Duration.ofSeconds(120));
            List<Map<String, Object>> heapEnd = heaps(shards);
            Judged j = judge(run, shards, backend, dumps);
            long benchEnd = ((Number) io.dint.server.ServerControl.heapAfterGc().get("heap_used_bytes")).longValue();
            out.printf("  heap after GC at end: shards %s, this process %d MB (it keeps the whole history for the checks)%n",
                    megabytes(heapEnd), benchEnd >> 20);
            long growth = 0;
            for (int i = 0; i < heapEnd.size(); i++) {
                long g = used(heapEnd.get(i)) - used(shards.restarted(i) ? shards.heapAtRestart(i) : heapStart.get(i));
                growth = Math.max(growth, g);
            }
            if (growth > HEAP_GROWTH_LIMIT) {
                report.fail(backend + ": a shard's heap after GC grew by " + (growth >> 20) + " MB over the soak");
            }
            report.checks().put(backend, j.verdict().result());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("txn_per_s_by_interval", rates);
            d.put("shard_heap_start", heapStart);
            d.put("shard_heap_end", heapEnd);
            d.put("bench_heap_start_bytes", benchStart);
            d.put("bench_heap_end_bytes", benchEnd);
            d.put("reconciliation", j.reconciliation().summary());
            report.details().put(backend, d);
            TxnBench.outcome(report, backend, j.verdict().protocolErrors(), run.violations(), j.failures());
            report.addFigure(backend, "intervals", rates.size());
            report.addFigure(backend, "min_txn_per_s", rates.stream().mapToDouble(x -> x).min().orElse(0));
            report.addFigure(backend, "mean_txn_per_s", rates.stream().mapToDouble(x -> x).average().orElse(0));
            report.addFigure(backend, "server_heap_growth_bytes", growth);
            report.addFigure(backend, "lost_committed", j.reconciliation().lostCommitted());
            report.addFigure(backend, "injected_drops", after.get("dropped") - before.get("dropped"));
            report.addFigure(backend, "injected_dups", after.get("duplicated") - before.get("duplicated"));
            report.addFigure(backend, "injected_reorders", after.get("reordered") - before.get("reordered"));
            report.addFigure(backend, "kills", shards.kills());
            report.addFigure(backend, "unknown_outcomes", run.counter(ClientStats.UNKNOWN));
            j.print(out, backend);
        } finally {
            deleteTree(dumps);
        }
        return report;
    }

    /** A shard's heap may grow this much over a soak (class loading, JIT, buffers that settle); more is a leak. */
    static final long HEAP_GROWTH_LIMIT = 64L << 20;

    private static List<Map<String, Object>> heaps(ServerKills shards) {
        List<Map<String, Object>> h = new ArrayList<>();
        for (ServerProcess p : shards.processes()) {
            h.add(p.heapAfterGc());
        }
        return h;
    }

    private static long used(Map<String, Object> heap) {
        return ((Number) heap.get("heap_used_bytes")).longValue();
    }

    private static String megabytes(List<Map<String, Object>> heaps) {
        return heaps.stream().map(h -> (used(h) >> 20) + " MB").toList().toString();
    }

    /** A run's end-of-run checks: the verdict, the key-by-key reconciliation, and every failure of both. */
    record Judged(TxnRun.Verdict verdict, Reconciliation reconciliation, List<String> failures, List<String> violations) {
        void print(PrintStream out, String backend) {
            violations.forEach(x -> out.printf("  %-5s %s%n", backend, x));
            out.printf("  %-5s protocol errors: %d; lost committed: %d; checks: %s; %s%n", backend, verdict.protocolErrors(),
                    reconciliation.lostCommitted(), failures.isEmpty() ? "all passed" : failures.size() + " FAILED", verdict.serial());
            failures.stream().limit(10).forEach(f -> out.printf("  %-5s FAILED: %s%n", backend, f));
        }
    }

    /**
     * Every end-of-run check of {@code run} once its shards serve and its coordinators are done:
     * each shard writes its records and its log's out, transactions of unknown outcome are
     * resolved from the logs (committed when every replica logged every write), then the
     * verdict and the key-by-key reconciliation.
     */
    static Judged judge(TxnRun run, ServerKills shards, String backend, Path dumps) {
        shards.awaitServing(Duration.ofSeconds(120));
        List<RecordFile.Records> stores = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < shards.processes().size(); i++) {
            Path records = dumps.resolve(backend + "-" + i + ".records"), log = dumps.resolve(backend + "-" + i + ".log");
            shards.processes().get(i).dumpRecords(records, log);
            stores.add(RecordFile.read(records));
            logs.add(log);
        }
        UnknownTxns unknown = run.unknown();
        java.util.Set<Long> wanted = new java.util.HashSet<>();
        unknown.txns().forEach(t -> java.util.Arrays.stream(t.writeTerms()).forEach(wanted::add));
        List<java.util.Set<Long>> logged = logs.stream().map(l -> Reconciliation.present(l, wanted)).toList();
        TxnRun.Verdict v = run.verdict(shards.processes(), t -> Reconciliation.loggedEverywhere(t, logged));
        List<UnknownTxns.Txn> orphans = new ArrayList<>(unknown.abortedAfterLog());
        unknown.txns().stream().filter(t -> !Reconciliation.loggedEverywhere(t, logged)).forEach(orphans::add);
        Reconciliation rec = Reconciliation.of(v.state(), stores, logs, orphans);
        List<String> failures = new ArrayList<>();
        for (String f : v.failures()) {
            // The digests of a log cannot tell the records of attempts that never committed from
            // others; with such records about, the key-by-key reconciliation of every log record
            // (which leaves them out) judges the logs instead.
            boolean logDigest = f.contains("its commit log replays to other records") || f.contains("commit-log records name a version");
            if (!(logDigest && !orphans.isEmpty())) {
                failures.add(f);
            }
        }
        failures.addAll(rec.failures());
        return new Judged(v, rec, failures, run.violations());
    }

    private static Map<String, Object> detail(LoadPoint p0, LoadPoint p1, LoadPoint p2, Map<String, Long> before,
                                              Map<String, Long> after, long kills, Reconciliation rec, TxnRun run) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("fault_free", p0);
        d.put("faulty", p1);
        d.put("fault_free_after", p2);
        Map<String, Long> injected = new LinkedHashMap<>();
        after.forEach((k, v) -> injected.put(k, v - before.getOrDefault(k, 0L)));
        d.put("wire", injected);
        d.put("kills", kills);
        d.put("reconciliation", rec.summary());
        Map<String, Long> client = new LinkedHashMap<>();
        for (int c = 0; c < ClientStats.COUNT; c++) {
            client.put(ClientStats.name(c), run.counter(c));
        }
        d.put("client_totals", client);
        return d;
    }

    private static void print(PrintStream out, String backend, String what, LoadPoint p) {
        out.printf(Locale.ROOT, "  %-5s %-10s %2d thr x %3d: %8.0f txn/s committed (%5.1f%% aborted)  txn p50 %7.1f us  p99 %8.1f us"
                        + "  timeouts %d  retries %d  stale %d%n",
                backend, what, p.clientThreads(), p.inflightPerThread(), p.txnPerS(), 100 * p.abortRate(), p.txnP50Us(),
                p.txnP99Us(), p.timeouts(), p.retries(), p.stale());
    }

    static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory: best effort
        }
    }
}
