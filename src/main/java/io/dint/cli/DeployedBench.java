package io.dint.cli;

import io.dint.backend.Backend;
import io.dint.bench.Deployment;
import io.dint.bench.KvBench;
import io.dint.bench.LockBench;
import io.dint.bench.MicroBench;
import io.dint.bench.TxnBench;
import io.dint.cluster.ClusterFile;
import io.dint.cluster.CoreSplit;
import io.dint.cluster.Host;
import io.dint.kv.KvSettings;
import io.dint.kv.KvTrace;
import io.dint.server.ServerHandle;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import java.util.ArrayList;
import java.util.List;

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
        ClusterFile file = ClusterFile.read(bench.deployment.file());
        String service = file.service().name();
        Backend backend = Backend.parse(file.service().backend());
        if (!DEPLOYABLE.contains(service)) {
            throw new IllegalArgumentException("bench --cluster drives " + DEPLOYABLE + " servers; " + file.origin() + " serves " + service);
        }
        for (String n : bench.names) {
            if (!n.equals(service)) {
                throw new IllegalArgumentException("the servers of " + file.origin() + " serve " + service + ": bench " + service
                        + ", not " + n);
            }
        }
        List<Backend> asked = bench.backends.given;
        if (asked != null && !asked.equals(List.of(backend))) {
            throw new IllegalArgumentException("the servers of " + file.origin() + " run the " + backend + " backend; --backends "
                    + String.join(",", asked.stream().map(Backend::id).toList()) + " would need other servers");
        }
        bench.measurement.checked();
        MicroBench.Client client = bench.load.client(service);
        ServeCommand serve = ServeCommand.resolve(file, file.servers().getFirst()); // the scale the servers run at
        ClusterFile.Entry me = file.thisHost(ClusterFile.Role.CLIENT, bench.deployment.host.name);
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
        MicroBench.Config config = new MicroBench.Config(List.of(backend), bench.load.shapes(client), bench.measurement.warmup(),
                bench.measurement.window(), client, null);
        try (ClusterClient.Connected connected = bench.deployment.connect(file);
             AutoCloseable _ = me.cpus() == null ? () -> { } : CoreSplit.pinThisProcess(me.cpus())) {
            List<ServerHandle> handles = new ArrayList<>(connected.servers());
            System.out.println("== " + service + " on " + backend + " servers " + servers.stream().map(Host::name).toList()
                    + " of " + file.origin() + ", from client host " + me.name());
            Deployment d = new Deployment(file.origin(), backend, here, servers, handles);
            boolean failed = false;
            int threads = serve.network.threads;
            switch (service) {
                case "lock2pl", "occ" -> failed = bench.finish(MicroBench.run(new LockBench(service.equals("occ")
                        ? LockBench.Protocol.OCC : LockBench.Protocol.LOCK2PL, service.equals("occ") ? serve.data.keys
                        : serve.data.lockIds.count, 200_000, threads), config, d, System.out));
                case "kv" -> {
                    if (!serve.data.population.equals("all")) {
                        throw new IllegalArgumentException("bench kv --cluster needs servers with every key (population = \"all\"),"
                                + " " + file.origin() + " says " + serve.data.population);
                    }
                    KvSettings kv = serve.slowPath.kv(serve.data);
                    for (String mix : bench.kvMixes) {
                        failed |= bench.finish(MicroBench.run(new KvBench(KvTrace.Mix.parse(mix), kv.data().subscribers(), kv.cacheRatio(),
                                kv.policy(), threads), config, d, System.out));
                    }
                }
                case "smallbank" -> failed = bench.finish(TxnBench.run(new SmallbankWorkload(serve.data.size.accounts), b -> List.of(),
                        config, d, System.out));
                case "tatp" -> failed = bench.finish(TxnBench.run(new TatpWorkload(serve.data.size.subscribers, serve.data.seed),
                        b -> List.of(), config, d, System.out));
                default -> throw new IllegalStateException(service);
            }
            return failed ? BenchCommand.CHECK_FAILED : 0;
        }
    }
}
