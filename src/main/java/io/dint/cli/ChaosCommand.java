package io.dint.cli;

import io.dint.backend.Backend;
import io.dint.bench.BenchReport;
import io.dint.bench.ChaosBench;
import io.dint.bench.Kill;
import io.dint.bench.MicroBench;
import io.dint.bench.ServerKills;
import io.dint.cluster.LocalCluster;
import io.dint.cluster.WireFaults;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./dint chaos}: Smallbank and TATP under injected faults — frames dropped, duplicated and
 * reordered on the wire, shard processes killed — against fault-free runs of the same shape (before and after) on
 * the same servers, then every check over the whole history.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, defaultValueProvider = CommandDefaults.class,
        header = "Smallbank and TATP under wire faults and kills, then every check.",
        description = "Run Smallbank and TATP under lost, duplicated and reordered packets and killed servers, then every check."
                + " With no options: both workloads, all three backends, 1%% drop + 1%% duplicate + 1%% reorder.")
final class ChaosCommand implements Callable<Integer> {
    static final List<String> WORKLOADS = List.of("smallbank", "tatp");
    /** The shard backends; memcached serves only KV. */
    private static final List<Backend> SHARD_BACKENDS = List.of(Backend.XDP, Backend.AFXDP, Backend.UDP);
    /** The share of frames dropped, duplicated and reordered when no fault is given. */
    private static final double DEFAULT_FAULT = 0.01;

    @Parameters(arity = "0..*", paramLabel = "WORKLOAD", description = "smallbank, tatp; default both.")
    List<String> names = new ArrayList<>();

    @Mixin
    BackendsOption backends = new BackendsOption();

    @Option(names = "--drop", description = "Share of DINT's frames dropped on their way to each host (0..1). Default: 0.01"
            + " when no fault is given, else 0.")
    Double drop;

    @Option(names = "--dup", description = "Share of frames sent twice. Default: as --drop.")
    Double dup;

    @Option(names = "--reorder", description = "Share of frames sent the long way, so that later frames overtake them. Default: as --drop.")
    Double reorder;

    @Option(names = "--delay-us", description = "Delay frames by a set time: not available on this kernel (see --help of chaos).")
    Long delayUs;

    @Option(names = "--kill", description = "Kill, every --every seconds, one shard in turn and restart it: slow-path (the Java"
            + " process of an xdp shard; its XDP program keeps serving) or server (the whole server: its process, pinned maps"
            + " and memory; it recovers from its commit log and its replicas).")
    String kill;

    @Option(names = "--every", defaultValue = "10", description = "Seconds between kills. Default: ${DEFAULT-VALUE}.")
    double every;

    @Option(names = "--soak", description = "Run this many minutes at saturation with the faults on (first workload, first backend),"
            + " print throughput per interval, the checks at the end and the Java processes' heap after GC at start and end.")
    Double soakMinutes;

    @Option(names = "--interval", defaultValue = "10", description = "Soak: seconds per printed interval. Default: ${DEFAULT-VALUE}.")
    double interval;

    @Option(names = "--shape", defaultValue = "1x32", description = "Client threads x transactions in flight of both runs. Default: ${DEFAULT-VALUE}.")
    String shape;

    @Mixin
    Measurement measurement = new Measurement();

    @Mixin
    ResultsDir results = new ResultsDir();

    @Option(names = "--give-up", defaultValue = "30", description = "Seconds a coordinator retries a phase before it gives up"
            + " (before LOG: abort; in LOG: outcome unknown). Default: ${DEFAULT-VALUE}.")
    double giveUp;

    @Mixin
    WorkloadSize size = new WorkloadSize();

    @Override
    public Integer call() throws Exception {
        if (delayUs != null) {
            throw new IllegalArgumentException("--delay-us is not available: delaying a frame by a set time needs the fq or netem"
                    + " qdisc (an EDT timestamp set by BPF is honoured only by fq), and this kernel has neither; a BPF timer cannot"
                    + " hold a packet. Reordering (--reorder) delays a frame by one receive cycle instead.");
        }
        List<String> run = names.isEmpty() ? WORKLOADS : names;
        for (String n : run) {
            if (!WORKLOADS.contains(n)) {
                throw new IllegalArgumentException("unknown workload '" + n + "': choose from " + WORKLOADS);
            }
        }
        List<Backend> chosen = backends.chosen("chaos", SHARD_BACKENDS);
        Kill killKind = kill == null ? Kill.NONE : Kill.parse(kill);
        measurement.checked();
        if (!(every > 0) || !(giveUp > 0)) {
            throw new IllegalArgumentException("--every and --give-up must be positive");
        }
        ChaosBench.Config cfg = new ChaosBench.Config(chosen, MicroBench.Shape.parse(shape), measurement.warmup(), measurement.window(),
                faults(), killKind, Measurement.seconds(every), Measurement.seconds(giveUp), MicroBench.Client.AFXDP);
        LocalCluster.cleanLeftovers();
        ServerKills.cleanLeftovers();
        if (soakMinutes != null) {
            if (!(soakMinutes > 0) || !(interval > 0)) {
                throw new IllegalArgumentException("--soak and --interval must be positive");
            }
            String n = run.getFirst();
            BenchReport r = ChaosBench.soak(size.workload(n), size.servers(n, 1), cfg, chosen.getFirst(),
                    Measurement.seconds(soakMinutes * 60), Measurement.seconds(interval),
                    BenchCommand.header("soak " + n + " on " + chosen.getFirst()));
            return BenchCommand.finish(r, results.dir, System.out) ? BenchCommand.CHECK_FAILED : 0;
        }
        boolean failed = false;
        for (String n : run) {
            BenchReport r = ChaosBench.run(size.workload(n), size.servers(n, 1), cfg, BenchCommand.header("chaos " + n));
            failed |= BenchCommand.finish(r, results.dir, System.out);
        }
        return failed ? BenchCommand.CHECK_FAILED : 0;
    }

    /** The faults given; with none, {@link #DEFAULT_FAULT} of each. */
    private WireFaults.Faults faults() {
        boolean any = drop != null || dup != null || reorder != null;
        double unset = any ? 0 : DEFAULT_FAULT;
        return new WireFaults.Faults(drop != null ? drop : unset, dup != null ? dup : unset, reorder != null ? reorder : unset);
    }
}
