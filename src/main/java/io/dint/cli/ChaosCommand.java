package io.dint.cli;

import io.dint.bench.BenchReport;
import io.dint.bench.ChaosBench;
import io.dint.bench.Kill;
import io.dint.bench.MicroBench;
import io.dint.cluster.LocalCluster;
import io.dint.cluster.WireFaults;
import io.dint.txn.TxnWorkload;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./dint chaos}: Smallbank and TATP under injected faults — frames dropped, duplicated and
 * reordered on the wire, shard processes killed — against fault-free runs of the same shape (before and after) on
 * the same servers, then every check over the whole history.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        header = "Smallbank and TATP under wire faults and kills, then every check.",
        description = "Run Smallbank and TATP under lost, duplicated and reordered packets and killed servers, then every check."
                + " With no options: both workloads, all three backends, 1% drop + 1% duplicate + 1% reorder.")
final class ChaosCommand implements Callable<Integer> {
    static final List<String> WORKLOADS = List.of("smallbank", "tatp");

    @Parameters(arity = "0..*", paramLabel = "WORKLOAD", description = "smallbank, tatp; default both.")
    List<String> names = new ArrayList<>();

    @Option(names = "--backends", split = ",", defaultValue = "xdp,afxdp,udp",
            description = "Backends of the shard servers. Default: ${DEFAULT-VALUE}.")
    List<String> backends;

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

    @Option(names = "--warmup", defaultValue = "1", description = "Warm-up seconds of each run. Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(names = "--window", defaultValue = "8", description = "Measured seconds of each run: fault-free, faulty, fault-free again. Default: ${DEFAULT-VALUE}.")
    double window;

    @Option(names = "--give-up", defaultValue = "30", description = "Seconds a coordinator retries a phase before it gives up"
            + " (before LOG: abort; in LOG: outcome unknown). Default: ${DEFAULT-VALUE}.")
    double giveUp;

    @Option(names = "--accounts", defaultValue = "10000", description = "Smallbank accounts. Default: ${DEFAULT-VALUE}.")
    long accounts;

    @Option(names = "--subscribers", defaultValue = "5000", description = "TATP subscribers (its success-rate check assumes the call-forwarding rows have not turned"
            + " over much: its inserts draw end times otherwise than the population). Default: ${DEFAULT-VALUE}.")
    long subscribers;

    @Option(names = "--results", defaultValue = "results", description = "Directory for the JSON results. Default: ${DEFAULT-VALUE}.")
    Path results;

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
        for (String b : backends) {
            if (!List.of("xdp", "afxdp", "udp").contains(b)) {
                throw new IllegalArgumentException("unknown backend '" + b + "': use some of xdp, afxdp, udp");
            }
        }
        boolean anyFault = drop != null || dup != null || reorder != null;
        double d = drop != null ? drop : anyFault ? 0 : 0.01;
        WireFaults.Faults faults = new WireFaults.Faults(d, dup != null ? dup : anyFault ? 0 : 0.01,
                reorder != null ? reorder : anyFault ? 0 : 0.01);
        Kill killKind = kill == null ? Kill.NONE : Kill.parse(kill);
        if (!(every > 0) || !(window > 0) || warmup < 0 || !(giveUp > 0)) {
            throw new IllegalArgumentException("--every, --window and --give-up must be positive and --warmup >= 0");
        }
        MicroBench.Shape sh = MicroBench.Shape.parse(shape);
        ChaosBench.Config cfg = new ChaosBench.Config(backends, sh, seconds(warmup), seconds(window), faults, killKind,
                seconds(every), seconds(giveUp), MicroBench.Client.AFXDP);
        LocalCluster.cleanLeftovers();
        io.dint.bench.ServerKills.cleanLeftovers();
        if (soakMinutes != null) {
            if (!(soakMinutes > 0) || !(interval > 0)) {
                throw new IllegalArgumentException("--soak and --interval must be positive");
            }
            BenchReport r = ChaosBench.soak(workload(run.getFirst()), servers(run.getFirst()), cfg, backends.getFirst(),
                    seconds(soakMinutes * 60), seconds(interval), header("soak " + run.getFirst() + " on " + backends.getFirst()));
            return BenchCommand.finish(r, results, System.out) ? BenchCommand.CHECK_FAILED : 0;
        }
        boolean failed = false;
        for (String n : run) {
            BenchReport r = ChaosBench.run(workload(n), servers(n), cfg, header("chaos " + n));
            failed |= BenchCommand.finish(r, results, System.out);
        }
        return failed ? BenchCommand.CHECK_FAILED : 0;
    }

    private TxnWorkload workload(String n) {
        return n.equals("smallbank") ? new SmallbankWorkload(accounts) : new TatpWorkload(subscribers, 42);
    }

    private io.dint.bench.TxnBench.Servers servers(String n) {
        return n.equals("smallbank")
                ? b -> List.of("--service", "smallbank", "--backend", b, "--accounts", Long.toString(accounts), "--threads", "1")
                : b -> List.of("--service", "tatp", "--backend", b, "--subscribers", Long.toString(subscribers), "--seed", "42",
                        "--threads", "1");
    }

    private static java.io.PrintStream header(String title) {
        System.out.println("== " + title);
        return System.out;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
