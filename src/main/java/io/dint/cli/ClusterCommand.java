package io.dint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dint.backend.Backend;
import io.dint.cluster.ClusterFile;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.server.ServerProcess;
import io.dint.txn.TxnDriver;
import io.dint.txn.TxnWorkload;
import io.dint.client.UdpTransport;
import io.dint.wire.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./dint cluster up | status | down}: a local cluster of three shard servers and a client
 * host, loaded and left running for applications. {@code up} starts a keeper process that owns the
 * namespaces and servers and writes {@link #STATE}; {@code down} stops it, which tears it all down.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, defaultValueProvider = CommandDefaults.class,
        header = "Start, inspect or stop a local 3-server cluster for applications.",
        description = "Start (up), inspect (status) or stop (down) a local 3-server cluster left running for applications.")
final class ClusterCommand implements Callable<Integer> {
    static final Path STATE = Path.of("/run/dint/cluster.json");
    /** The cluster file describing the cluster that is up: what dint example and dint bench --cluster read. */
    static final Path CLUSTER_FILE = Path.of("/run/dint/cluster.toml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "ACTION", description = "up, status or down")
    String action;

    @Option(names = "--workload", defaultValue = "smallbank", description = "smallbank (2PL) or tatp (OCC). Default: ${DEFAULT-VALUE}.")
    String workload;

    @Mixin
    BackendOption backend = new BackendOption();

    @Mixin
    WorkloadSize size = new WorkloadSize();

    @Option(names = "--foreground", hidden = true, description = "Run the keeper in this process (what up starts).")
    boolean foreground;

    @Override
    public Integer call() throws Exception {
        return switch (action) {
            case "up" -> foreground ? keep() : up();
            case "status" -> status();
            case "down" -> down();
            default -> throw new IllegalArgumentException("unknown action '" + action + "': use up, status or down");
        };
    }

    private int up() throws Exception {
        size.workload(workload);
        if (backend.backend == Backend.MEMCACHED) {
            throw new IllegalArgumentException("the shards run on --backend xdp, udp or afxdp, got '" + backend.backend + "'");
        }
        if (Files.exists(STATE) && alive(state())) {
            throw new IllegalStateException("a cluster is already up (" + STATE + "): ./dint cluster down first");
        }
        Files.deleteIfExists(STATE);
        Files.createDirectories(STATE.getParent());
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "cluster", "up", "--foreground", "--workload", workload, "--backend", backend.backend.id(),
                "--accounts", Long.toString(size.accounts), "--subscribers", Long.toString(size.subscribers)));
        Path log = STATE.resolveSibling("cluster.log");
        Process keeper = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!Files.exists(STATE)) {
            if (!keeper.isAlive() || System.nanoTime() > deadline) {
                keeper.destroy();
                throw new IllegalStateException("the cluster did not come up; see " + log);
            }
            Thread.sleep(200);
        }
        return status();
    }

    /** The keeper: builds the cluster, loads it, publishes the state, waits to be stopped. */
    private int keep() throws Exception {
        TxnWorkload w = size.workload(workload);
        try (LocalCluster cluster = LocalCluster.create(3, 1)) {
            List<ServerProcess> servers = new ArrayList<>();
            try {
                Map<String, Object> options = workload.equals("smallbank") ? Map.of("accounts", size.accounts)
                        : Map.of("subscribers", size.subscribers, "seed", WorkloadSize.TATP_SEED);
                cluster.describe(new ClusterFile.Service(workload, backend.backend.id(), options)).write(CLUSTER_FILE);
                for (Host h : cluster.servers()) {
                    // started the way an operator starts one on each host: from the cluster file, answering the cluster's hosts only
                    servers.add(new ServerProcess(cluster.startDint(h, List.of("serve", "--cluster",
                            CLUSTER_FILE.toString(), "--host", h.name(), "--allow", cluster.subnetPrefix())), Duration.ofSeconds(60)));
                }
                Host client = cluster.clients().getFirst();
                int[] addrs = cluster.servers().stream().mapToInt(Host::ipv4).toArray();
                TxnDriver.load(w, new TxnDriver.Target(addrs, Wire.PORT, 50_000_000L, client.netns(),
                        i -> new UdpTransport(client.ipv4(), 64, 256)), 1, 64);
                Map<String, Object> state = new LinkedHashMap<>();
                state.put("pid", ProcessHandle.current().pid());
                state.put("workload", workload);
                state.put("backend", backend.backend.id());
                state.put("scale", w.scale());
                state.put("client_netns", client.netns());
                state.put("client_address", client.address());
                state.put("servers", cluster.servers().stream().map(Host::address).toList());
                state.put("server_netns", cluster.servers().stream().map(Host::netns).toList());
                state.put("port", Wire.PORT);
                state.put("cluster_file", CLUSTER_FILE.toString());
                Path tmp = STATE.resolveSibling("cluster.json.tmp");
                JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), state);
                Files.move(tmp, STATE, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                while (Files.exists(STATE) && !stop.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                    // kept alive until down (SIGTERM) or the state file is removed
                }
            } finally {
                servers.forEach(ServerProcess::close);
                Files.deleteIfExists(STATE);
                Files.deleteIfExists(CLUSTER_FILE);
            }
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> state() throws java.io.IOException {
        if (!Files.exists(STATE)) {
            throw new IllegalStateException("no cluster is up (no " + STATE + "): start one with ./dint cluster up");
        }
        return JSON.readValue(STATE.toFile(), Map.class);
    }

    private static boolean alive(Map<String, Object> state) {
        return ProcessHandle.of(((Number) state.get("pid")).longValue()).map(ProcessHandle::isAlive).orElse(false);
    }

    private int status() throws Exception {
        Map<String, Object> s = state();
        System.out.println((alive(s) ? "up" : "DEAD (run ./dint cluster down)") + ": " + s.get("workload") + " on "
                + s.get("backend") + " shards " + s.get("servers") + " port " + s.get("port") + ", scale " + s.get("scale"));
        System.out.println("client host: namespace " + s.get("client_netns") + ", address " + s.get("client_address"));
        System.out.println("cluster file: " + s.get("cluster_file") + " (dint example, dint bench --cluster FILE)");
        return alive(s) ? 0 : 1;
    }

    private int down() throws Exception {
        if (!Files.exists(STATE)) {
            System.out.println("no cluster is up");
            return 0;
        }
        Map<String, Object> s = state();
        ProcessHandle.of(((Number) s.get("pid")).longValue()).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
        Files.deleteIfExists(STATE);
        Files.deleteIfExists(CLUSTER_FILE);
        LocalCluster.cleanLeftovers();
        System.out.println("cluster down");
        return 0;
    }
}
