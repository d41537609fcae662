package io.dint.cli;

import io.dint.bench.LoadGenLayout;
import io.dint.bench.MicroBench;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --client}, {@code --sweep}: the load generator of a benchmark and the client shapes it sweeps. */
final class LoadOptions {
    static final String KERNEL_SWEEP = "1x1,1x32,1x128,1x192";
    static final String JAVA_SWEEP = "1x1,1x8,1x32,1x128,2x128";

    @Option(names = "--client", defaultValue = "kernel",
            description = "Load generator of lock2pl, occ, log and kv: kernel (an XDP closed loop on the client host),"
                    + " afxdp (Java over AF_XDP) or socket (Java over kernel UDP). smallbank and tatp run their Java"
                    + " coordinator over AF_XDP with kernel, else over the chosen one. Default: ${DEFAULT-VALUE}.")
    String client;

    @Option(names = "--sweep", split = ",",
            description = "Client shapes THREADSxINFLIGHT; the first should be 1x1 (unloaded latency). Default: "
                    + KERNEL_SWEEP + " with the kernel client (one loop, requests in flight), " + JAVA_SWEEP + " with a Java client"
                    + " and for smallbank/tatp.")
    List<String> sweep;

    /** The load generator named by {@code --client}. */
    MicroBench.Client client() {
        try {
            return MicroBench.Client.valueOf(client.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown client '" + client + "': use kernel, afxdp or socket");
        }
    }

    /** The client of a benchmark of {@code service}: a transaction coordinator is Java, on AF_XDP where the kernel client was asked for. */
    MicroBench.Client client(String service) {
        MicroBench.Client c = client();
        boolean txn = service.equals("smallbank") || service.equals("tatp");
        return txn && c == MicroBench.Client.KERNEL ? MicroBench.Client.AFXDP : c;
    }

    /** The shapes swept by {@code client}: those given, or its default; the kernel client's within its slots. */
    List<MicroBench.Shape> shapes(MicroBench.Client client) {
        List<String> given = sweep != null ? sweep : List.of((client == MicroBench.Client.KERNEL ? KERNEL_SWEEP : JAVA_SWEEP).split(","));
        List<MicroBench.Shape> shapes = given.stream().map(MicroBench.Shape::parse).toList();
        if (client == MicroBench.Client.KERNEL) {
            for (MicroBench.Shape sh : shapes) {
                if (sh.threads() * sh.inflight() > LoadGenLayout.MAX_SLOTS) {
                    throw new IllegalArgumentException("sweep point " + sh.threads() + "x" + sh.inflight() + ": the kernel client keeps"
                            + " at most " + LoadGenLayout.MAX_SLOTS + " requests in flight");
                }
            }
        }
        return shapes;
    }
}
