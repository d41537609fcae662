package io.dint.cli;

import io.dint.bench.Deployment;
import io.dint.bench.KvBench;
import io.dint.bench.LockBench;
import io.dint.bench.MicroBench;
import io.dint.bench.TxnBench;
import io.dint.cluster.ClusterFile;
import io.dint.cluster.CoreSplit;
import io.dint.cluster.Host;
import io.dint.kv.KvPolicy;
import io.dint.kv.KvTrace;
import io.dint.server.ServerHandle;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code dint bench --cluster FILE} on a client host: the servers the file describes were started
 * on their own hosts ({@code dint serve --cluster FILE --host NAME}); this host finds itself in the
 * file, waits for every server's control endpoint to say it is ready and serves what the file
 * says, then runs the file's benchmark against them with the same code as a local run, learning
 * the servers' counters and checks through their endpoints.
 */
final class DeployedBench {
    static final List<String> DEPLOYABLE = List.of("lock2pl", "occ", "kv", "smallbank", "tatp");

    private final BenchCommand bench;

    DeployedBench(BenchCommand bench) {
        this.bench = bench;
    }

    int run() throws Exception {
        ClusterFile file = ClusterFile.read(bench.deployment.file);
        String service = file.service().name();
        String backend = file.service().backend();
        if (!DEPLOYABLE.contains(service)) {
            throw new IllegalArgumentException("bench --cluster drives " + DEPLOYABLE + " servers; " + file.origin() + " serves " + service);
        }
        for (String n : bench.names) {
            if (!n.equals(service)) {
                throw new IllegalArgumentException("the servers of " + file.origin() + " serve " + service + ": bench " + service
                        + ", not " + n);
            }
        }
        if (bench.backends != null && !bench.backends.equals(List.of(backend))) {
            throw new IllegalArgumentException("the servers of " + file.origin() + " run the " + backend + " backend; --backends "
                    + String.join(",", bench.backends) + " would need other servers");
        }
        if (bench.warmup < 0 || bench.window <= 0) {
            throw new IllegalArgumentException("--warmup must be >= 0 and --window > 0 seconds");
        }
        MicroBench.Client client = clientKind(service);
        ServeCommand serve = ServeCommand.resolve(file, file.servers().getFirst()); // the scale the servers run at
        ClusterFile.Entry me = file.thisHost(ClusterFile.Role.CLIENT, bench.deployment.host);
        Host here = file.local(me, false);
        List<Host> servers = file.servers().stream().map(ClusterFile::peer).toList();
        if (client == MicroBench.Client.KERNEL) {
            for (Host s : servers) {
                if (s.mac() == null) {
                    throw new IllegalArgumentException("the kernel client addresses frames itself: give server " + s.name()
                            + "'s mac in " + file.origin() + ", or use --client afxdp or socket");
                }
            }
            if (here.mac() == null) {
                throw new IllegalArgumentException("the kernel client needs this host's MAC: give " + me.name() + "'s mac in " + file.origin());
            }
        }
        List<String> sweep = bench.sweep != null ? bench.sweep : List.of((client == MicroBench.Client.KERNEL
                ? BenchCommand.KERNEL_SWEEP : BenchCommand.JAVA_SWEEP).split(","));
        List<MicroBench.Shape> shapes = sweep.stream().map(MicroBench.Shape::parse).toList();
        MicroBench.Config config = new MicroBench.Config(List.of(backend), shapes, seconds(bench.warmup), seconds(bench.window),
                client, null);
        try (ClusterClient.Connected connected = bench.deployment.connect(file);
             AutoCloseable _ = me.cpus() == null ? () -> { } : CoreSplit.pinThisProcess(me.cpus())) {
            List<ServerHandle> handles = new ArrayList<>(connected.servers());
            System.out.println("== " + service + " on " + backend + " servers " + servers.stream().map(Host::name).toList()
                    + " of " + file.origin() + ", from client host " + me.name());
            Deployment d = new Deployment(file.origin(), backend, here, servers, handles);
            boolean failed = false;
            switch (service) {
                case "lock2pl", "occ" -> failed = bench.finish(MicroBench.run(new LockBench(service.equals("occ")
                        ? LockBench.Protocol.OCC : LockBench.Protocol.LOCK2PL, service.equals("occ") ? serve.keys : serve.lockIds,
                        200_000, serve.threads), config, d, System.out));
                case "kv" -> {
                    if (!serve.population.equals("all")) {
                        throw new IllegalArgumentException("bench kv --cluster needs servers with every key (population = \"all\"),"
                                + " " + file.origin() + " says " + serve.population);
                    }
                    for (String mix : bench.kvMixes) {
                        failed |= bench.finish(MicroBench.run(new KvBench(KvTrace.Mix.parse(mix), serve.subscribers, serve.cacheRatio,
                                KvPolicy.parse(serve.cache), serve.threads), config, d, System.out));
                    }
                }
                case "smallbank" -> failed = bench.finish(TxnBench.run(new SmallbankWorkload(serve.accounts), b -> List.of(),
                        config, d, System.out));
                case "tatp" -> failed = bench.finish(TxnBench.run(new TatpWorkload(serve.subscribers, serve.seed), b -> List.of(),
                        config, d, System.out));
                default -> throw new IllegalStateException(service);
            }
            return failed ? 2 : 0;
        }
    }

    private MicroBench.Client clientKind(String service) {
        MicroBench.Client c;
        try {
            c = MicroBench.Client.valueOf(bench.client.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown client '" + bench.client + "': use kernel, afxdp or socket");
        }
        boolean txn = service.equals("smallbank") || service.equals("tatp");
        return txn && c == MicroBench.Client.KERNEL ? MicroBench.Client.AFXDP : c; // the coordinator is Java
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
