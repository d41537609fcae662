package io.dint.cli;

import io.dint.cluster.CoreSplit;
import io.dint.cluster.NicTuning;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./dint tune --iface DEV [--server-cpus LIST] [--apply]}: a server's NIC set up the way
 * DINT's original setup scripts did by hand, printed as a plan (what is, what will be) and made
 * only with {@code --apply}.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        header = "Plan (and with --apply make) a server NIC's settings for DINT.",
        description = "Plan (and with --apply make) a server NIC's settings: MTU, interrupt coalescing off, irqbalance stopped,"
                + " UDP RSS on the 4-tuple, a queue and an interrupt per server CPU, threaded NAPI for virtual devices.")
final class TuneCommand implements Callable<Integer> {
    @Option(names = "--iface", required = true, paramLabel = "DEV", description = "The server's interface.")
    String iface;

    @Option(names = "--server-cpus", paramLabel = "LIST", description = "CPUs that serve (e.g. 2-7): one queue and interrupt each."
            + " Default: every online CPU.")
    String serverCpus;

    @Option(names = "--mtu", defaultValue = "1500", description = "MTU. Default: ${DEFAULT-VALUE}.")
    int mtu;

    @Option(names = "--skip", split = ",", paramLabel = "STEP", description = "Steps to leave alone: mtu, coalescing, irqbalance,"
            + " rss, queues, irq-affinity, gro, threaded-napi.")
    List<String> skip = List.of();

    @Option(names = "--apply", description = "Make the planned changes (without it, only print the plan).")
    boolean apply;

    @Override
    public Integer call() {
        String cpus = serverCpus != null ? serverCpus : "0-" + (CoreSplit.onlineCpus() - 1);
        NicTuning t = NicTuning.plan(iface, cpus, mtu, new HashSet<>(skip));
        List<NicTuning.Step> steps = t.steps();
        long changes = steps.stream().filter(s -> s.state() == NicTuning.State.CHANGE).count();
        if (!apply) {
            NicTuning.print(t.describe() + ": plan", steps, System.out);
            System.out.println(changes == 0 ? "nothing to change" : changes + " change(s) planned; run with --apply to make them");
            return 0;
        }
        List<NicTuning.Step> done = t.apply();
        NicTuning.print(t.describe() + ": applied", done, System.out);
        long failed = done.stream().filter(s -> s.state() == NicTuning.State.FAILED).count();
        long applied = done.stream().filter(s -> s.state() == NicTuning.State.APPLIED).count();
        System.out.println(applied + " change(s) made" + (failed == 0 ? "" : ", " + failed + " FAILED"));
        return failed == 0 ? 0 : 1;
    }
}
