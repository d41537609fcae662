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

    @Parameters(arity = "0..*", paramLabel = "WORKLOAD", description = "smallbank, tatp; default both.")
    List<String> names = new ArrayList<>();

    @Mixin
    BackendsOption backends = new BackendsOption();

    @Mixin
    ChaosOptions.Faults faults = new ChaosOptions.Faults();

    @Mixin
    ChaosOptions.Kills kills = new ChaosOptions.Kills();

    @Mixin
    ChaosOptions.Soak soak = new ChaosOptions.Soak();

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
        WireFaults.Faults wire = faults.wire();
        List<String> run = names.isEmpty() ? WORKLOADS : names;
        for (String n : run) {
            if (!WORKLOADS.contains(n)) {
                throw new IllegalArgumentException("unknown workload '" + n + "': choose from " + WORKLOADS);
            }
        }
        List<Backend> chosen = backends.chosen("chaos", SHARD_BACKENDS);
        Kill killKind = kills.kind();
        measurement.checked();
        if (!(kills.every > 0) || !(giveUp > 0)) {
            throw new IllegalArgumentException("--every and --give-up must be positive");
        }
        boolean soaking = soak.asked();
        ChaosBench.Config cfg = new ChaosBench.Config(chosen, MicroBench.Shape.parse(shape), measurement.warmup(), measurement.window(),
                wire, killKind, kills.every(), Measurement.seconds(giveUp), MicroBench.Client.AFXDP);
        LocalCluster.cleanLeftovers();
        ServerKills.cleanLeftovers();
        if (soaking) {
            String n = run.getFirst();
            BenchReport r = ChaosBench.soak(size.workload(n), size.servers(n, 1), cfg, chosen.getFirst(), soak.length(),
                    soak.interval(), BenchCommand.header("soak " + n + " on " + chosen.getFirst()));
            return BenchCommand.finish(r, results.dir, System.out) ? BenchCommand.CHECK_FAILED : 0;
        }
        boolean failed = false;
        for (String n : run) {
            BenchReport r = ChaosBench.run(size.workload(n), size.servers(n, 1), cfg, BenchCommand.header("chaos " + n));
            failed |= BenchCommand.finish(r, results.dir, System.out);
        }
        return failed ? BenchCommand.CHECK_FAILED : 0;
    }
}
