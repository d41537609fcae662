package io.dint.cli;

import io.dint.cluster.CoreSplit;
import picocli.CommandLine.Option;

/** {@code --server-cpus}, {@code --client-cpus}, {@code --no-split}, {@code --server-threads}: which CPUs serve and which load. */
final class CoreOptions {
    @Option(names = "--server-cpus", description = "CPUs of the server hosts (their NAPI threads and processes). Default: the upper half"
            + " of the CPUs (CPU 1 of 2).")
    String serverCpus;

    @Option(names = "--client-cpus", description = "CPUs of the client hosts and the wire (bridge ports). Default: the other CPUs.")
    String clientCpus;

    @Option(names = "--no-split", description = "Run clients and servers on every CPU (XDP then runs on the sender's CPU).")
    boolean noSplit;

    @Option(names = "--server-threads", description = "Threads of the UDP and AF_XDP servers. Default: one per server CPU.")
    Integer serverThreads;

    /** The CPU split asked for, or null with {@code --no-split}. */
    CoreSplit split() {
        if (noSplit && (serverCpus != null || clientCpus != null)) {
            throw new IllegalArgumentException("--no-split cannot go with --server-cpus or --client-cpus");
        }
        if ((serverCpus == null) != (clientCpus == null)) {
            throw new IllegalArgumentException("give both --server-cpus and --client-cpus, or neither (default split)");
        }
        return noSplit ? null : serverCpus != null ? CoreSplit.parse(serverCpus, clientCpus) : CoreSplit.defaults();
    }

    /** The servers' threads: those given, or one per server CPU of {@code split} (2 without one). */
    int serverThreads(CoreSplit split) {
        return serverThreads != null ? serverThreads : split == null ? 2 : split.serverCpus().size();
    }
}
