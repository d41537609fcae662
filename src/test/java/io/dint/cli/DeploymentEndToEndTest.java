package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.ClusterFile;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.server.ControlClient;
import io.dint.testing.OnHost;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A deployment as an operator runs one, with a local cluster's namespaces as the machines: the
 * cluster file is the only thing the hosts share (besides the network). Each server host runs
 * {@code dint serve --cluster FILE --host sN} in its own namespace; the client host runs
 * {@code dint bench ... --cluster FILE} and {@code dint example --cluster FILE} with nothing else
 * to go on. A host that is not in the file, is not the machine it claims, or cannot be reached
 * gets an error that names it.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DeploymentEndToEndTest {
    private static final Duration LIMIT = Duration.ofMinutes(3);
    private static LocalCluster cluster;
    private static Path dir;
    private final List<Server> servers = new ArrayList<>();

    @BeforeAll
    static void create() throws IOException {
        cluster = LocalCluster.create(3, 1);
        dir = Files.createTempDirectory("dint-deployment");
    }

    @AfterAll
    static void close() throws IOException {
        cluster.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A server process and what it printed. */
    private record Server(Process process, StringBuilder output) {}

    @AfterEach
    void stopServers() throws InterruptedException {
        for (Server s : servers) {
            s.process().destroy(); // SIGTERM, as an operator stops it
        }
        for (Server s : servers) {
            if (!s.process().waitFor(20, TimeUnit.SECONDS)) {
                s.process().destroyForcibly();
            }
        }
        servers.clear();
    }

    private static Host client() {
        return cluster.clients().getFirst();
    }

    private static Path write(String name, ClusterFile file) {
        Path p = dir.resolve(name);
        file.write(p);
        return p;
    }

    /** {@code dint serve --cluster FILE --host NAME} in host {@code h}'s namespace, its output kept. */
    private void serve(Host h, Path file, String name) {
        Process p = OnHost.start(h, List.of("serve", "--cluster", file.toString(), "--host", name));
        StringBuilder out = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getInputStream()) {
                byte[] buf = new byte[4096];
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (out) {
                        out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        servers.add(new Server(p, out));
    }

    private String serverOutput() {
        StringBuilder b = new StringBuilder();
        for (Server s : servers) {
            synchronized (s.output()) {
                b.append("--- server ").append(s.process().pid()).append(" ---\n").append(s.output());
            }
        }
        return b.toString();
    }

    @Test
    void smallbankServersFromTheFileServeTheExampleAndTheBench() throws Exception {
        Path file = write("smallbank.toml", cluster.describe(new ClusterFile.Service("smallbank", "xdp",
                Map.of("accounts", 600L, "threads", 1L, "cache-ratio", 0.5))));
        for (Host s : cluster.servers()) {
            serve(s, file, s.name());
        }
        OnHost.Run example = OnHost.run(client(), LIMIT, "example", "--cluster", file.toString(), "--load", "--cents", "250");
        assertThat(example.exit()).as("%s\n%s", example.output(), serverOutput()).isZero();
        assertThat(example.output()).contains("loaded 600 accounts").contains("transfer of 250 cents from 1 to 2: committed")
                .contains("account 1: 1000000 -> 999750 cents; account 2: 1000000 -> 1000250 cents");

        OnHost.Run populated = bench(file);
        assertThat(populated.exit()).as(populated.output()).isEqualTo(1);
        assertThat(populated.output()).contains("server s0 already holds 1200 records").contains("restart the servers");

        stopServers();
        for (Host s : cluster.servers()) {
            serve(s, file, s.name());
        }
        OnHost.Run bench = bench(file);
        assertThat(bench.exit()).as("%s\n%s", bench.output(), serverOutput()).isZero();
        assertThat(bench.output()).contains("smallbank on xdp servers [s0, s1, s2]").contains("from client host c0")
                .contains("population: 600 transactions").contains("checks: all passed");

        ClusterFile.Entry s0 = ClusterFile.read(file).servers().getFirst();
        try (ControlClient c = ControlClient.await("s0", s0.control(), client().netns(), Duration.ofSeconds(10))) {
            String metrics = c.metrics();
            assertThat(metrics).contains("dint_server_info{backend=\"xdp\",service=\"smallbank\"} 1")
                    .contains("dint_stat_total{stat=\"txn_read_hit\"}").contains("dint_stat_per_cpu_total{cpu=\"0\",stat=\"tx\"}")
                    .contains("dint_slow_path_stat_total{stat=\"rx\"}").contains("dint_slow_path_share ")
                    .contains("dint_dedup_hits_total ").contains("dint_log_drainer_lag_records ")
                    .contains("dint_program_run_seconds_total{program=\"tc\"}");
        }
    }

    private static OnHost.Run bench(Path file) throws InterruptedException {
        return OnHost.run(client(), LIMIT, "bench", "smallbank", "--cluster", file.toString(), "--sweep", "1x4",
                "--warmup", "0.2", "--window", "0.5", "--results", dir.resolve("results").toString());
    }

    @Test
    void aLockServiceFromTheFileIsDrivenByAJavaAndTheKernelClient() throws Exception {
        ClusterFile all = cluster.describe(new ClusterFile.Service("lock2pl", "xdp", Map.of("lock-ids", 1_000_000L)));
        Path file = write("lock2pl.toml", new ClusterFile("lock2pl", all.service(),
                all.hosts().stream().filter(h -> h.name().equals("s0") || h.name().equals("c0")).toList()));
        serve(cluster.servers().getFirst(), file, "s0");
        for (String client : List.of("afxdp", "kernel")) {
            OnHost.Run bench = OnHost.run(client(), LIMIT, "bench", "lock2pl", "--cluster", file.toString(), "--client", client,
                    "--sweep", "1x16", "--warmup", "0.2", "--window", "0.5", "--results", dir.resolve("results").toString());
            assertThat(bench.exit()).as("%s client\n%s\n%s", client, bench.output(), serverOutput()).isZero();
            assertThat(bench.output()).contains("lock2pl on xdp servers [s0]").contains("client: " + client)
                    .containsPattern("xdp +1 thr x +16 in flight: +[1-9][0-9]* req/s");
        }

        Path occ = write("occ.toml", new ClusterFile("occ", new ClusterFile.Service("occ", "xdp", Map.of()), ClusterFile.read(file).hosts()));
        OnHost.Run mismatch = OnHost.run(client(), LIMIT, "bench", "--cluster", occ.toString(), "--ready-timeout", "5");
        assertThat(mismatch.exit()).as(mismatch.output()).isEqualTo(1);
        assertThat(mismatch.output()).contains("server s0 serves lock2pl on xdp, but " + occ + " says occ on xdp");
    }

    @Test
    void aHostThatIsNotInTheFileIsNotThisMachineOrCannotBeReachedIsNamed() throws Exception {
        Path file = write("named.toml", cluster.describe(new ClusterFile.Service("smallbank", "udp", Map.of("accounts", 100L))));
        Host s0 = cluster.servers().getFirst();
        ClusterFile described = ClusterFile.read(file);
        List<ClusterFile.Entry> hosts = new ArrayList<>(described.hosts());
        ClusterFile.Entry e = hosts.getFirst();
        hosts.set(0, new ClusterFile.Entry(e.name(), e.role(), e.ipv4(), e.iface(), e.mac(), e.cpus(),
                new InetSocketAddress(e.address(), 9), e.netns())); // nothing listens there
        Path unreachable = write("unreachable.toml", new ClusterFile("unreachable", described.service(), hosts));
        List<ClusterFile.Entry> noMacs = described.hosts().stream().map(h -> new ClusterFile.Entry(h.name(), h.role(), h.ipv4(),
                h.iface(), null, h.cpus(), h.control(), h.netns())).toList();
        Path lockNoMacs = write("nomacs.toml", new ClusterFile("nomacs", new ClusterFile.Service("lock2pl", "xdp", Map.of()), noMacs));

        // independent of each other: run side by side
        Process unknownP = OnHost.start(s0, List.of("serve", "--cluster", file.toString(), "--host", "s7"));
        Process elsewhereP = OnHost.start(s0, List.of("serve", "--cluster", file.toString(), "--host", "s1"));
        Process benchP = OnHost.start(client(), List.of("bench", "smallbank", "--cluster", unreachable.toString(), "--ready-timeout", "1"));
        Process kernelP = OnHost.start(client(), List.of("bench", "--cluster", lockNoMacs.toString(), "--client", "kernel"));

        OnHost.Run unknown = OnHost.await(unknownP, LIMIT, "serve --host s7");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.output()).contains("no host named 's7' in cluster file " + file).contains("s0 (10.231.0.1)");

        OnHost.Run elsewhere = OnHost.await(elsewhereP, LIMIT, "serve --host s1 on s0");
        assertThat(elsewhere.exit()).isEqualTo(1);
        assertThat(elsewhere.output()).contains("host s1 (10.231.0.2) of cluster file").contains("is not this machine")
                .contains("no interface here has address 10.231.0.2");

        OnHost.Run bench = OnHost.await(benchP, LIMIT, "bench with an unreachable server");
        assertThat(bench.exit()).isEqualTo(1);
        assertThat(bench.output()).contains("server s0 is not ready").contains("10.231.0.1:9").contains("cannot connect")
                .contains("dint serve --cluster FILE --host s0");

        OnHost.Run kernel = OnHost.await(kernelP, LIMIT, "kernel client without MACs");
        assertThat(kernel.exit()).isEqualTo(1);
        assertThat(kernel.output()).contains("the kernel client addresses frames itself: give server s0's mac in " + lockNoMacs);
    }
}
