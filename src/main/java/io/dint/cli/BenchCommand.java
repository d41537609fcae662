package io.dint.cli;

import io.dint.backend.Backend;
import io.dint.bench.BenchReport;
import io.dint.bench.KvAblation;
import io.dint.bench.KvBench;
import io.dint.bench.LockBench;
import io.dint.bench.LogBench;
import io.dint.bench.MicroBench;
import io.dint.bench.PaperScale;
import io.dint.bench.Progress;
import io.dint.bench.Summary;
import io.dint.bench.TxnBench;
import io.dint.cluster.CoreSplit;
import io.dint.cluster.LocalCluster;
import io.dint.kv.KvDataSet;
import io.dint.kv.KvPolicy;
import io.dint.kv.KvStore;
import io.dint.kv.KvTrace;
import io.dint.report.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Runs benchmarks on a local cluster and prints and records their figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, defaultValueProvider = CommandDefaults.class,
        header = "Run benchmarks on a local cluster, every backend side by side.",
        description = "Run benchmarks on a local cluster (network namespaces on this machine), every backend side by side;"
                + " or, with --cluster FILE, against servers started on the hosts the file describes.")
final class BenchCommand implements Callable<Integer> {
    /** Exit code of a run in which a check failed or a protocol error was counted. */
    static final int CHECK_FAILED = 2;
    static final List<String> BENCHES = List.of("lock2pl", "occ", "log", "kv", "kv-ablation", "smallbank", "tatp");
    /** The backends every benchmark offers; kv also memcached. */
    private static final List<Backend> JAVA_AND_XDP = List.of(Backend.XDP, Backend.AFXDP, Backend.UDP);

    @Parameters(arity = "0..*", paramLabel = "BENCH", description = "Benchmarks to run: ${COMPLETION-CANDIDATES}; default all.",
            completionCandidates = Benches.class)
    List<String> names = new ArrayList<>();

    @Mixin
    BackendsOption backends = new BackendsOption();

    @Mixin
    LoadOptions load = new LoadOptions();

    @Mixin
    Measurement measurement = new Measurement();

    @Mixin
    ResultsDir results = new ResultsDir();

    @Mixin
    LockIds lockIds = new LockIds();

    @Option(names = "--kv-subscribers", defaultValue = "100000",
            description = "KV: TATP subscribers whose 12 CALL_FORWARDING keys are the data set (paper: 2000000). Default: ${DEFAULT-VALUE}.")
    long kvSubscribers;

    @Option(names = "--kv-mix", split = ",", defaultValue = "parallel,contention",
            description = "KV mixes for bench kv: parallel (100%% GET), contention (80%% GET, 20%% SET). Default: ${DEFAULT-VALUE}.")
    List<String> kvMixes;

    @Mixin
    KvCache cache = new KvCache();

    @Mixin
    WorkloadSize size = new WorkloadSize();

    @Option(names = "--scale", defaultValue = "default",
            description = "Data sizes: default (small, fast) or paper: the paper's 24M lock ids and keys, 2M KV subscribers (24M keys),"
                    + " 24M Smallbank accounts and 7M TATP subscribers, each cut to the largest that fits this machine's memory"
                    + " (printed before the run and recorded in every result). Size options given as well are kept. Default: ${DEFAULT-VALUE}.")
    String scale;

    @Mixin
    CoreOptions cores = new CoreOptions();

    /** --cluster FILE: drive the file's servers (lock2pl, occ, kv, smallbank or tatp) from this client host instead of a local cluster. */
    @Mixin
    ClusterClient deployment = new ClusterClient();

    @Spec
    CommandSpec spec;

    private PaperScale.Plan paperPlan;
    private MicroBench.Client client;
    private CoreSplit split;
    private int serverThreads;
    private final List<BenchReport> reports = new ArrayList<>();
    private final List<Path> written = new ArrayList<>();

    static final class Benches extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Benches() {
            super(BENCHES);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (deployment.file() != null) {
            return new DeployedBench(this).run();
        }
        List<String> run = names.isEmpty() ? BENCHES : names;
        for (String n : run) {
            if (!BENCHES.contains(n)) {
                throw new IllegalArgumentException("unknown benchmark '" + n + "': choose from " + BENCHES);
            }
        }
        applyScale();
        measurement.checked();
        client = load.client();
        split = cores.split();
        serverThreads = cores.serverThreads(split);
        List<MicroBench.Shape> shapes = load.shapes(client);
        List<MicroBench.Shape> txnShapes = load.shapes(MicroBench.Client.AFXDP);
        for (String n : run) {
            if (!n.equals("kv-ablation")) {
                config(n, shapes);
            }
        }
        KvPolicy policy = cache.policy();
        List<KvTrace.Mix> mixes = kvMixes.stream().map(KvTrace.Mix::parse).toList();
        KvStore.bucketsFor(new KvDataSet(kvSubscribers, KvDataSet.Population.ALL, WorkloadSize.TATP_SEED).universe(), cache.ratio);
        LocalCluster.cleanLeftovers();
        boolean failed;
        try (Progress progress = Progress.start(plan(run, shapes, txnShapes, mixes.size()), measurement.warmup + measurement.window + 1)) {
            failed = runAll(run, progress, shapes, txnShapes, mixes, policy);
        }
        Summary.print(reports, split, System.out);
        if (!written.isEmpty()) {
            System.out.println();
            ReportCommand.print(Report.render(written, results.dir));
        }
        return failed ? CHECK_FAILED : 0;
    }

    /** Runs the benchmarks in order, each written and printed as it ends; true if a check failed. */
    private boolean runAll(List<String> run, Progress progress, List<MicroBench.Shape> shapes, List<MicroBench.Shape> txnShapes,
                           List<KvTrace.Mix> mixes, KvPolicy policy) throws Exception {
        boolean failed = false;
        for (String n : run) {
            progress.bench(n);
            failed |= switch (n) {
                case "lock2pl", "occ" -> finish(MicroBench.run(new LockBench(n.equals("occ") ? LockBench.Protocol.OCC
                        : LockBench.Protocol.LOCK2PL, lockIds.count, 200_000, serverThreads), config(n, shapes), header(n)));
                case "log" -> finish(MicroBench.run(new LogBench(lockIds.count, serverThreads), config(n, shapes), header(n)));
                case "kv" -> kv(mixes, policy, config(n, shapes));
                case "smallbank", "tatp" -> finish(TxnBench.run(size.workload(n), size.servers(n, serverThreads), config(n, txnShapes),
                        header(n)));
                case "kv-ablation" -> {
                    MicroBench.Shape last = shapes.getLast();
                    yield finish(KvAblation.run(kvSubscribers, cache.ratio, serverThreads, last, measurement.warmup(),
                            measurement.window(), client == MicroBench.Client.KERNEL ? split : null,
                            header(n + " (xdp backend, client " + last.threads() + "x" + last.inflight() + ")")));
                }
                default -> throw new IllegalStateException(n);
            };
        }
        return failed;
    }

    /** bench kv: one run per mix; true if a check failed. */
    private boolean kv(List<KvTrace.Mix> mixes, KvPolicy policy, MicroBench.Config config) throws Exception {
        boolean failed = false;
        for (KvTrace.Mix mix : mixes) {
            KvBench bench = new KvBench(mix, kvSubscribers, cache.ratio, policy, serverThreads);
            BenchReport report = MicroBench.run(bench, config,
                    header(bench.name() + " (" + mix.id() + ": " + Math.round(100 * mix.getFraction()) + "% GET)"));
            bench.addFigures(report);
            failed |= finish(report);
        }
        return failed;
    }

    /** With {@code --scale paper}, the sizes that fit this machine, printed; size options given keep their values. */
    private void applyScale() {
        switch (scale) {
            case "default" -> { }
            case "paper" -> {
                List<String> given = Stream.of("--lock-ids", "--kv-subscribers", "--accounts", "--subscribers")
                        .filter(o -> spec.commandLine().getParseResult().hasMatchedOption(o)).toList();
                paperPlan = PaperScale.plan(cache.ratio, given, lockIds.count, kvSubscribers, size.accounts, size.subscribers);
                System.out.print(paperPlan.describe());
                lockIds.count = paperPlan.choice("--lock-ids").chosen();
                kvSubscribers = paperPlan.choice("--kv-subscribers").chosen();
                size.accounts = paperPlan.choice("--accounts").chosen();
                size.subscribers = paperPlan.choice("--subscribers").chosen();
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

    /** Prints a benchmark's title line; returns where its lines go. */
    static PrintStream header(String title) {
        System.out.println("== " + title);
        return System.out;
    }

    private MicroBench.Config config(String bench, List<MicroBench.Shape> shapes) {
        List<Backend> offered = bench.equals("kv") ? List.of(Backend.XDP, Backend.AFXDP, Backend.UDP, Backend.MEMCACHED) : JAVA_AND_XDP;
        return new MicroBench.Config(backends.chosen("bench " + bench, offered), shapes, measurement.warmup(), measurement.window(),
                load.client(bench), split);
    }

    /** Writes and prints a report; true if a check failed. */
    boolean finish(BenchReport report) throws IOException {
        reports.add(report);
        report.scale().put("preset", scale);
        if (paperPlan != null) {
            report.scale().put("preset_size", paperPlan.note(sizeOption(report.bench())));
        }
        boolean failed = finish(report, results.dir, System.out);
        written.add(report.written());
        return failed;
    }

    /** Writes a report to {@code dir} and prints its figures and failures; true if a check failed. */
    static boolean finish(BenchReport report, Path dir, PrintStream out) throws IOException {
        out.println("results: " + report.write(dir));
        report.printFigures(out);
        for (String f : report.failures()) {
            out.println("CHECK FAILED: " + f);
        }
        return !report.failures().isEmpty();
    }
}
