package io.dint.cli;

import io.dint.bpf.BpfFs;
import io.dint.cluster.LocalCluster;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Removes what a crashed run left behind: namespaces of dead runs and stale pins. */
@Command(name = "clean", mixinStandardHelpOptions = true,
        header = "Remove namespaces and BPF pins left behind by crashed runs.",
        description = "Remove network namespaces and pinned BPF objects left by crashed runs.")
final class CleanCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        int n = LocalCluster.cleanLeftovers();
        BpfFs.removePins("dint");
        int shards = io.dint.bench.ServerKills.cleanLeftovers();
        System.out.println("removed " + n + " leftover namespace(s) and the pinned state of " + shards + " chaos shard(s)");
        return 0;
    }
}
