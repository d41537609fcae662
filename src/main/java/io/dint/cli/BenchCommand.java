package io.dint.cli;

import io.dint.bench.BenchReport;
import io.dint.bench.LockBench;
import io.dint.bench.LogBench;
import io.dint.bench.MicroBench;
import io.dint.cluster.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs benchmarks on a local cluster and prints and records their figures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run benchmarks on a local cluster (network namespaces on this machine); every backend side by side.")
final class BenchCommand implements Callable<Integer> {
    static final List<String> BENCHES = List.of("lock2pl", "occ", "log");

    @Parameters(arity = "0..*", paramLabel = "BENCH", description = "Benchmarks to run: ${COMPLETION-CANDIDATES}; default all.",
            completionCandidates = Benches.class)
    List<String> names = new ArrayList<>();

    @Option(names = "--backends", split = ",", defaultValue = "xdp,afxdp,udp", description = "Backends to compare: xdp, afxdp, udp. Default: ${DEFAULT-VALUE}.")
    List<String> backends;

    @Option(names = "--sweep", split = ",", defaultValue = "1x1,1x8,1x32,1x128,2x128",
            description = "Client shapes THREADSxINFLIGHT; the first should be 1x1 (unloaded latency). Default: ${DEFAULT-VALUE}.")
    List<String> sweep;

    @Option(names = "--warmup", defaultValue = "1", description = "Warm-up seconds per point. Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(names = "--window", defaultValue = "3", description = "Measured seconds per point. Default: ${DEFAULT-VALUE}.")
    double window;

    @Option(names = "--lock-ids", defaultValue = "1000000", description = "Distinct lock ids, or OCC / log keys (paper: 24000000). Default: ${DEFAULT-VALUE}.")
    long lockIds;

    @Option(names = "--server-threads", defaultValue = "2", description = "Threads of the UDP server. Default: ${DEFAULT-VALUE}.")
    int serverThreads;

    @Option(names = "--client", defaultValue = "afxdp",
            description = "Load generator transport: afxdp (kernel bypass) or socket (kernel UDP). Default: ${DEFAULT-VALUE}.")
    String client;

    @Option(names = "--results", defaultValue = "results", description = "Directory for the JSON results. Default: ${DEFAULT-VALUE}.")
    Path results;

    static final class Benches extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Benches() {
            super(BENCHES);
        }
    }

    @Override
    public Integer call() throws Exception {
        List<String> run = names.isEmpty() ? BENCHES : names;
        for (String n : run) {
            if (!BENCHES.contains(n)) {
                throw new IllegalArgumentException("unknown benchmark '" + n + "': choose from " + BENCHES);
            }
        }
        for (String b : backends) {
            new BackendConverter().convert(b);
        }
        if (warmup < 0 || window <= 0) {
            throw new IllegalArgumentException("--warmup must be >= 0 and --window > 0 seconds");
        }
        MicroBench.Client clientKind;
        try {
            clientKind = MicroBench.Client.valueOf(client.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown client '" + client + "': use afxdp or socket");
        }
        MicroBench.Config config = new MicroBench.Config(backends,
                sweep.stream().map(MicroBench.Shape::parse).toList(), seconds(warmup), seconds(window), clientKind);
        LocalCluster.cleanLeftovers();
        boolean failed = false;
        for (String n : run) {
            System.out.println("== " + n);
            BenchReport report = switch (n) {
                case "lock2pl" -> MicroBench.run(new LockBench(LockBench.Protocol.LOCK2PL, lockIds, 200_000, serverThreads), config, System.out);
                case "occ" -> MicroBench.run(new LockBench(LockBench.Protocol.OCC, lockIds, 200_000, serverThreads), config, System.out);
                case "log" -> MicroBench.run(new LogBench(lockIds, serverThreads), config, System.out);
                default -> throw new IllegalStateException(n);
            };
            System.out.println("results: " + report.write(results));
            report.printFigures(System.out);
            for (String f : report.failures()) {
                System.out.println("CHECK FAILED: " + f);
                failed = true;
            }
        }
        return failed ? 2 : 0;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
