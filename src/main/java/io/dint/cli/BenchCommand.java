package io.dint.cli;

import io.dint.cluster.CoreSplit;
import io.dint.bench.Summary;
import io.dint.bench.BenchReport;
import io.dint.bench.KvAblation;
import io.dint.bench.KvBench;
import io.dint.bench.LockBench;
import io.dint.bench.LogBench;
import io.dint.bench.MicroBench;
import io.dint.bench.PaperScale;
import io.dint.bench.Progress;
import io.dint.bench.TxnBench;
import io.dint.report.Report;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import io.dint.cluster.LocalCluster;
import io.dint.kv.KvDataSet;
import io.dint.kv.KvPolicy;
import io.dint.kv.KvStore;
import io.dint.kv.KvTrace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs benchmarks on a local cluster and prints and records their figures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Run benchmarks on a local cluster, every backend side by side.",
        description = "Run benchmarks on a local cluster (network namespaces on this machine), every backend side by side;"
                + " or, with --cluster FILE, against servers started on the hosts the file describes.")
final class BenchCommand implements Callable<Integer> {
    /** Exit code of a run in which a check failed or a protocol error was counted. */
    static final int CHECK_FAILED = 2;
    static final List<String> BENCHES = List.of("lock2pl", "occ", "log", "kv", "kv-ablation", "smallbank", "tatp");

    @Parameters(arity = "0..*", paramLabel = "BENCH", description = "Benchmarks to run: ${COMPLETION-CANDIDATES}; default all.",
            completionCandidates = Benches.class)
    List<String> names = new ArrayList<>();

    @Option(names = "--backends", split = ",",
            description = "Backends to compare. Default: xdp,afxdp,udp (kv: xdp,afxdp,udp,memcached; kv-ablation runs xdp only).")
    List<String> backends;

    static final String KERNEL_SWEEP = "1x1,1x32,1x128,1x192";
    static final String JAVA_SWEEP = "1x1,1x8,1x32,1x128,2x128";

    @Option(names = "--sweep", split = ",",
            description = "Client shapes THREADSxINFLIGHT; the first should be 1x1 (unloaded latency). Default: "
                    + KERNEL_SWEEP + " with the kernel client (one loop, requests in flight), " + JAVA_SWEEP + " with a Java client"
                    + " and for smallbank/tatp.")
    List<String> sweep;

    @Option(names = "--warmup", defaultValue = "1", description = "Warm-up seconds per point. Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(names = "--window", defaultValue = "3", description = "Measured seconds per point. Default: ${DEFAULT-VALUE}.")
    double window;

    @Option(names = "--lock-ids", defaultValue = "1000000", description = "Distinct lock ids, or OCC / log keys (paper: 24000000). Default: ${DEFAULT-VALUE}.")
    long lockIds;

    @Option(names = "--kv-subscribers", defaultValue = "100000",
            description = "KV: TATP subscribers whose 12 CALL_FORWARDING keys are the data set (paper: 2000000). Default: ${DEFAULT-VALUE}.")
    long kvSubscribers;

    @Option(names = "--kv-mix", split = ",", defaultValue = "parallel,contention",
            description = "KV mixes for bench kv: parallel (100%% GET), contention (80%% GET, 20%% SET). Default: ${DEFAULT-VALUE}.")
    List<String> kvMixes;

    @Option(names = "--cache-ratio", defaultValue = "1.5",
            description = "KV: kernel cache slots per key (paper: 1.5). Default: ${DEFAULT-VALUE}.")
    double cacheRatio;

    @Option(names = "--cache", defaultValue = "write-back-bloom",
            description = "KV: cache policy of bench kv: write-back-bloom, write-back, write-through. Default: ${DEFAULT-VALUE}.")
    String cache;

    @Option(names = "--accounts", defaultValue = "20000",
            description = "Smallbank accounts (paper: 24000000). Default: ${DEFAULT-VALUE}.")
    long accounts;

    @Option(names = "--subscribers", defaultValue = "5000",
            description = "TATP subscribers (paper: 7000000). Default: ${DEFAULT-VALUE}.")
    long subscribers;

    @Option(names = "--scale", defaultValue = "default",
            description = "Data sizes: default (small, fast) or paper: the paper's 24M lock ids and keys, 2M KV subscribers (24M keys),"
                    + " 24M Smallbank accounts and 7M TATP subscribers, each cut to the largest that fits this machine's memory"
                    + " (printed before the run and recorded in every result). Size options given as well are kept. Default: ${DEFAULT-VALUE}.")
    String scale;

    @Spec
    CommandSpec spec;

    private PaperScale.Plan paperPlan;

    @Option(names = "--server-threads", description = "Threads of the UDP and AF_XDP servers. Default: one per server CPU.")
    Integer serverThreads;

    @Option(names = "--client", defaultValue = "kernel",
            description = "Load generator of lock2pl, occ, log and kv: kernel (an XDP closed loop on the client host),"
                    + " afxdp (Java over AF_XDP) or socket (Java over kernel UDP). smallbank and tatp run their Java"
                    + " coordinator over AF_XDP with kernel, else over the chosen one. Default: ${DEFAULT-VALUE}.")
    String client;

    @Option(names = "--server-cpus", description = "CPUs of the server hosts (their NAPI threads and processes). Default: the upper half"
            + " of the CPUs (CPU 1 of 2).")
    String serverCpus;

    @Option(names = "--client-cpus", description = "CPUs of the client hosts and the wire (bridge ports). Default: the other CPUs.")
    String clientCpus;

    @Option(names = "--no-split", description = "Run clients and servers on every CPU (XDP then runs on the sender's CPU).")
    boolean noSplit;

    private MicroBench.Client clientKind = MicroBench.Client.KERNEL;
    private CoreSplit split;
    private final List<BenchReport> reports = new ArrayList<>();
    private final List<Path> written = new ArrayList<>();

    @Option(names = "--results", defaultValue = "results", description = "Directory for the JSON results. Default: ${DEFAULT-VALUE}.")
    Path results;

    /** --cluster FILE: drive the file's servers (lock2pl, occ, kv, smallbank or tatp) from this client host instead of a local cluster. */
    @picocli.CommandLine.Mixin
    ClusterClient deployment = new ClusterClient();

    static final class Benches extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Benches() {
            super(BENCHES);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (deployment.file != null) {
            return new DeployedBench(this).run();
        }
        List<String> run = names.isEmpty() ? BENCHES : names;
        for (String n : run) {
            if (!BENCHES.contains(n)) {
                throw new IllegalArgumentException("unknown benchmark '" + n + "': choose from " + BENCHES);
            }
        }
        if (backends != null) {
            for (String b : backends) {
                new BackendConverter().convert(b);
            }
        }
        applyScale();
        if (warmup < 0 || window <= 0) {
            throw new IllegalArgumentException("--warmup must be >= 0 and --window > 0 seconds");
        }
        MicroBench.Client clientKind;
        try {
            clientKind = MicroBench.Client.valueOf(client.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown client '" + client + "': use kernel, afxdp or socket");
        }
        this.clientKind = clientKind;
        if (noSplit && (serverCpus != null || clientCpus != null)) {
            throw new IllegalArgumentException("--no-split cannot go with --server-cpus or --client-cpus");
        }
        if ((serverCpus == null) != (clientCpus == null)) {
            throw new IllegalArgumentException("give both --server-cpus and --client-cpus, or neither (default split)");
        }
        split = noSplit ? null : serverCpus != null ? CoreSplit.parse(serverCpus, clientCpus) : CoreSplit.defaults();
        if (serverThreads == null) {
            serverThreads = split == null ? 2 : split.serverCpus().size();
        }
        List<String> javaSweep = sweep != null ? sweep : List.of(JAVA_SWEEP.split(","));
        List<String> microSweep = sweep != null ? sweep
                : List.of((clientKind == MicroBench.Client.KERNEL ? KERNEL_SWEEP : JAVA_SWEEP).split(","));
        List<MicroBench.Shape> shapes = microSweep.stream().map(MicroBench.Shape::parse).toList();
        List<MicroBench.Shape> txnShapes = javaSweep.stream().map(MicroBench.Shape::parse).toList();
        if (clientKind == MicroBench.Client.KERNEL) {
            for (MicroBench.Shape sh : shapes) {
                if (sh.threads() * sh.inflight() > io.dint.bench.LoadGenLayout.MAX_SLOTS) {
                    throw new IllegalArgumentException("sweep point " + sh.threads() + "x" + sh.inflight() + ": the kernel client keeps at most "
                            + io.dint.bench.LoadGenLayout.MAX_SLOTS + " requests in flight");
                }
            }
        }
        for (String n : run) {
            if (!n.equals("kv-ablation")) {
                config(n, shapes);
            }
        }
        KvPolicy policy = KvPolicy.parse(cache);
        List<KvTrace.Mix> mixes = kvMixes.stream().map(KvTrace.Mix::parse).toList();
        KvStore.bucketsFor(new KvDataSet(kvSubscribers, KvDataSet.Population.ALL, 42).universe(), cacheRatio);
        LocalCluster.cleanLeftovers();
        boolean failed;
        try (Progress progress = Progress.start(plan(run, shapes, txnShapes, mixes.size()), warmup + window + 1)) {
            failed = runAll(run, progress, shapes, txnShapes, mixes, policy);
        }
        Summary.print(reports, split, System.out);
        if (!written.isEmpty()) {
            System.out.println();
            ReportCommand.print(Report.render(written, results));
        }
        return failed ? CHECK_FAILED : 0;
    }

    /** Runs the benchmarks in order, each written and printed as it ends; true if a check failed. */
    private boolean runAll(List<String> run, Progress progress, List<MicroBench.Shape> shapes, List<MicroBench.Shape> txnShapes,
                           List<KvTrace.Mix> mixes, KvPolicy policy) throws Exception {
        boolean failed = false;
        for (String n : run) {
            progress.bench(n);
            switch (n) {
                case "lock2pl" -> failed |= finish(MicroBench.run(new LockBench(LockBench.Protocol.LOCK2PL, lockIds, 200_000, serverThreads),
                        config(n, shapes), header(n)));
                case "occ" -> failed |= finish(MicroBench.run(new LockBench(LockBench.Protocol.OCC, lockIds, 200_000, serverThreads),
                        config(n, shapes), header(n)));
                case "log" -> failed |= finish(MicroBench.run(new LogBench(lockIds, serverThreads), config(n, shapes), header(n)));
                case "kv" -> {
                    for (KvTrace.Mix mix : mixes) {
                        KvBench bench = new KvBench(mix, kvSubscribers, cacheRatio, policy, serverThreads);
                        BenchReport report = MicroBench.run(bench, config(n, shapes),
                                header(bench.name() + " (" + mix.id() + ": " + Math.round(100 * mix.getFraction()) + "% GET)"));
                        bench.addFigures(report);
                        failed |= finish(report);
                    }
                }
                case "smallbank" -> failed |= finish(TxnBench.run(new SmallbankWorkload(accounts),
                        b -> List.of("--service", "smallbank", "--backend", b, "--accounts", Long.toString(accounts),
                                "--threads", Integer.toString(serverThreads)), config(n, txnShapes), header(n)));
                case "tatp" -> failed |= finish(TxnBench.run(new TatpWorkload(subscribers, 42),
                        b -> List.of("--service", "tatp", "--backend", b, "--subscribers", Long.toString(subscribers),
                                "--seed", "42", "--threads", Integer.toString(serverThreads)), config(n, txnShapes), header(n)));
                case "kv-ablation" -> failed |= finish(KvAblation.run(kvSubscribers, cacheRatio, serverThreads, shapes.getLast(),
                        seconds(warmup), seconds(window), clientKind == MicroBench.Client.KERNEL ? split : null, header(n + " (xdp backend, client " + shapes.getLast().threads() + "x" + shapes.getLast().inflight() + ")")));
                default -> throw new IllegalStateException(n);
            }
        }
        return failed;
    }

    /** With {@code --scale paper}, the sizes that fit this machine, printed; size options given keep their values. */
    private void applyScale() {
        switch (scale) {
            case "default" -> { }
            case "paper" -> {
                List<String> given = java.util.stream.Stream.of("--lock-ids", "--kv-subscribers", "--accounts", "--subscribers")
                        .filter(o -> spec.commandLine().getParseResult().hasMatchedOption(o)).toList();
                paperPlan = PaperScale.plan(cacheRatio, given, lockIds, kvSubscribers, accounts, subscribers);
                System.out.print(paperPlan.describe());
                lockIds = paperPlan.choice("--lock-ids").chosen();
                kvSubscribers = paperPlan.choice("--kv-subscribers").chosen();
                accounts = paperPlan.choice("--accounts").chosen();
                subscribers = paperPlan.choice("--subscribers").chosen();
            }
            default -> throw new IllegalArgumentException("unknown --scale '" + scale + "': use default or paper");
        }
    }

    /** The size option a benchmark's data follows. */
    private static String sizeOption(String bench) {
        return switch (bench) {
            case "smallbank" -> "--accounts";
            case "tatp" -> "--subscribers";
            default -> bench.startsWith("kv") ? "--kv-subscribers" : "--lock-ids";
        };
    }

    /** The load points each benchmark of the run measures, for the progress display. */
    private List<Progress.Stage> plan(List<String> run, List<MicroBench.Shape> shapes, List<MicroBench.Shape> txnShapes, int mixes) {
        List<Progress.Stage> plan = new ArrayList<>();
        for (String n : run) {
            int points = switch (n) {
                case "kv-ablation" -> 9; // three workloads x three cache policies
                case "kv" -> mixes * config(n, shapes).backends().size() * shapes.size();
                case "smallbank", "tatp" -> config(n, txnShapes).backends().size() * txnShapes.size();
                default -> config(n, shapes).backends().size() * shapes.size();
            };
            plan.add(new Progress.Stage(n, points));
        }
        return plan;
    }

    private static java.io.PrintStream header(String title) {
        System.out.println("== " + title);
        return System.out;
    }

    private MicroBench.Config config(String bench, List<MicroBench.Shape> shapes) {
        List<String> defaults = switch (bench) {
            case "kv" -> List.of("xdp", "afxdp", "udp", "memcached");
            case "smallbank", "tatp" -> List.of("xdp", "afxdp", "udp");
            default -> List.of("xdp", "afxdp", "udp");
        };
        List<String> chosen = backends == null ? defaults : backends;
        for (String b : chosen) {
            if (!defaults.contains(b)) {
                throw new IllegalArgumentException("bench " + bench + " has no backend '" + b + "': use some of " + defaults);
            }
        }
        MicroBench.Client c = clientKind;
        if ((bench.equals("smallbank") || bench.equals("tatp")) && c == MicroBench.Client.KERNEL) {
            c = MicroBench.Client.AFXDP; // the coordinator is Java
        }
        return new MicroBench.Config(chosen, shapes, seconds(warmup), seconds(window), c, split);
    }

    /** Writes and prints a report; true if a check failed. */
    boolean finish(BenchReport report) throws java.io.IOException {
        reports.add(report);
        report.scale().put("preset", scale);
        if (paperPlan != null) {
            report.scale().put("preset_size", paperPlan.note(sizeOption(report.bench())));
        }
        boolean failed = finish(report, results, System.out);
        written.add(report.written());
        return failed;
    }

    /** Writes a report to {@code dir} and prints its figures and failures; true if a check failed. */
    static boolean finish(BenchReport report, Path dir, java.io.PrintStream out) throws java.io.IOException {
        out.println("results: " + report.write(dir));
        report.printFigures(out);
        for (String f : report.failures()) {
            out.println("CHECK FAILED: " + f);
        }
        return !report.failures().isEmpty();
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
