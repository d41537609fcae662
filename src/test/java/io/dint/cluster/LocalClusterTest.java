package io.dint.cluster;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dint.net.MsgBatch;
import io.dint.net.NetNs;
import io.dint.net.UdpSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** End-to-end: one cluster of 1 server and 2 clients shared by the tests, as a bench would use it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalClusterTest {
    private static LocalCluster cluster;
    private static long createMillis;

    @BeforeAll
    static void create() {
        long t0 = System.nanoTime();
        cluster = LocalCluster.create(1, 2);
        createMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("LocalCluster.create(1, 2) took " + createMillis + " ms");
    }

    @AfterAll
    static void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void hasNamedHostsWithAddressesAndXdpOnEveryBridgePort() {
        Host s0 = cluster.servers().getFirst();
        Host c1 = cluster.clients().get(1);
        assertThat(s0.name()).isEqualTo("s0");
        assertThat(s0.netns()).isEqualTo("dint-" + cluster.tag() + "-s0");
        assertThat(s0.address()).isEqualTo("10.231.0.1");
        assertThat(c1.address()).isEqualTo("10.231.0.102");
        assertThat(c1.mac()).isEqualTo("02:00:0a:e7:00:66");
        for (Host h : cluster.hosts()) {
            assertThat(Files.exists(Path.of("/var/run/netns", h.netns()))).isTrue();
            String link = IpCommand.ip("-n", h.netns(), "-d", "link", "show", "dev", "eth0");
            assertThat(link).contains("mtu 1500").contains(h.mac()).contains("UP");
            String neigh = IpCommand.ip("-n", h.netns(), "neigh", "show", "dev", "eth0");
            assertThat(neigh.lines().filter(l -> l.contains("PERMANENT")).count()).isEqualTo(2);
            String port = IpCommand.ip("-n", cluster.bridgeNetns(), "link", "show", "dev", cluster.bridgePort(h));
            assertThat(port).contains("master br0").contains(" xdp "); // native mode; generic shows "xdpgeneric"
            assertThat(IpCommand.ip("-n", h.netns(), "-6", "addr", "show")).isBlank();
        }
    }

    @Test
    void clientPingsServer() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ping")) || Files.isExecutable(Path.of("/bin/ping")),
                "ping (iputils-ping) is not installed");
        Host s0 = cluster.servers().getFirst();
        String out = cluster.exec(cluster.clients().getFirst(), "ping", "-c1", "-W1", s0.address());
        assertThat(out).contains("1 received");
    }

    @Test
    void udpEchoAcrossTheBridge() throws Exception {
        Host s0 = cluster.servers().getFirst();
        UdpSocket server = openIn(s0, 0);
        CompletableFuture<Integer> echo = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            int echoed = 0;
            try (MsgBatch b = MsgBatch.allocate(16, 512)) {
                int n;
                while ((n = server.receiveBlocking(b)) > 0) {
                    echoed += server.send(b, n);
                }
                echo.complete(echoed);
            } catch (Throwable t) {
                echo.completeExceptionally(t);
            }
        });
        int total = 0;
        for (Host c : cluster.clients()) {
            try (UdpSocket client = openIn(c, 0);
                    MsgBatch out = MsgBatch.allocate(8, 512);
                    MsgBatch in = MsgBatch.allocate(8, 512)) {
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < 8; i++) {
                        out.slot(i).set(JAVA_INT, 0, round * 8 + i);
                        out.setLength(i, 100);
                        out.setPeer(i, s0.ipv4(), server.localPort());
                    }
                    assertThat(client.send(out, 8)).isEqualTo(8);
                    int got = 0;
                    for (int tries = 0; got < 8 && tries < 20; tries++) {
                        int n = client.receive(in, 500);
                        for (int i = 0; i < n; i++) {
                            assertThat(in.peerAddr(i)).isEqualTo(s0.ipv4());
                            assertThat(in.length(i)).isEqualTo(100);
                            assertThat(in.slot(i).get(JAVA_INT, 0) / 8).isEqualTo(round);
                        }
                        got += n;
                    }
                    assertThat(got).as("echoes from %s in round %d", c.name(), round).isEqualTo(8);
                    total += got;
                }
            }
        }
        server.close();
        assertThat(echo.get(5, TimeUnit.SECONDS)).isEqualTo(total).isEqualTo(320);
    }

    /** Opens a socket bound to {@code host}'s address inside its namespace; the calling thread goes back home. */
    private static UdpSocket openIn(Host host, int port) {
        try (var _ = NetNs.enterTemporarily(host.netns())) {
            return UdpSocket.open(host.ipv4(), port, false);
        }
    }

    @Test
    void startsJvmsInAHostNamespaceAndKillsThemOnClose() throws Exception {
        Path src = program("Child", """
                var eth0 = java.net.NetworkInterface.getByName("eth0");
                System.out.println("hello");
                System.out.println("READY " + eth0.getInterfaceAddresses().getFirst().getAddress().getHostAddress());
                System.err.println("child stderr line");
                """);
        LocalCluster own = LocalCluster.create(1, 0);
        try {
            Host s0 = own.servers().getFirst();
            Process p = own.start(s0, List.of(src.toString()));
            assertThat(LocalCluster.awaitLine(p, "READY", Duration.ofSeconds(30))).isEqualTo("READY " + s0.address());
            assertThatThrownBy(() -> LocalCluster.awaitLine(p, "NEVER", Duration.ofMillis(300)))
                    .hasMessageContaining("did not print it within")
                    .hasMessageContaining("child stderr line");
            long t0 = System.nanoTime();
            own.close();
            assertThat(p.isAlive()).isFalse();
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(7));
            assertThat(Files.exists(Path.of("/var/run/netns", s0.netns()))).isFalse();
        } finally {
            own.close();
            Files.deleteIfExists(src);
        }
    }

    @Test
    void awaitLineReportsAnEarlyExit() {
        Host c0 = cluster.clients().getFirst();
        Process p = cluster.start(c0, List.of("--version"));
        assertThatThrownBy(() -> LocalCluster.awaitLine(p, "READY", Duration.ofSeconds(30)))
                .hasMessageContaining("exited with status 0")
                .hasMessageContaining("openjdk");
    }

    @Test
    void closeRemovesEveryNamespace() {
        LocalCluster c = LocalCluster.create(2, 1);
        String tag = c.tag();
        assertThat(IpCommand.ip("netns", "list")).contains("dint-" + tag + "-s1", "dint-" + tag + "-br");
        c.close();
        assertThat(IpCommand.ip("netns", "list")).doesNotContain("dint-" + tag + "-");
        assertThatThrownBy(() -> c.start(c.servers().getFirst(), List.of())).hasMessageContaining("closed");
    }

    @Test
    void cleanLeftoversRemovesOnlyNamespacesOfDeadProcesses() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        assumeTrue(ProcessHandle.of(gone.pid()).isEmpty(), "pid of the exited process was reused already");
        String dead = "dint-" + Long.toString(gone.pid(), 36) + ".1-s0";
        String live = "dint-" + Long.toString(ProcessHandle.current().pid(), 36) + ".live-s0";
        IpCommand.ip("netns", "add", dead);
        IpCommand.ip("netns", "add", live);
        try {
            assertThat(LocalCluster.cleanLeftovers()).isGreaterThanOrEqualTo(1);
            String list = IpCommand.ip("netns", "list");
            assertThat(list).doesNotContain(dead).contains(live);
            assertThat(list).contains(cluster.servers().getFirst().netns());
        } finally {
            IpCommand.ip("netns", "del", live);
            if (Files.exists(Path.of("/var/run/netns", dead))) {
                IpCommand.ip("netns", "del", dead);
            }
        }
    }

    @Test
    void shutdownHookTearsDownAndCleanLeftoversCatchesAKilledRun() throws Exception {
        Path src = program("Crash", """
                var c = io.dint.cluster.LocalCluster.create(1, 1);
                System.out.println("READY " + c.tag());
                """);
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("dint.classpath", System.getProperty("java.class.path"));
        List<String> cmd = List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, src.toString());
        try {
            // SIGTERM: the shutdown hook removes the namespaces.
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String tag = LocalCluster.awaitLine(p, "READY ", Duration.ofSeconds(30)).substring(6);
            assertThat(IpCommand.ip("netns", "list")).contains("dint-" + tag + "-s0");
            p.destroy();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(IpCommand.ip("netns", "list")).doesNotContain("dint-" + tag + "-");

            // SIGKILL: nothing runs in the child, the next cleanLeftovers() finds its namespaces.
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            tag = LocalCluster.awaitLine(p, "READY ", Duration.ofSeconds(30)).substring(6);
            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(IpCommand.ip("netns", "list")).contains("dint-" + tag + "-br");
            assertThat(LocalCluster.cleanLeftovers()).isGreaterThanOrEqualTo(3);
            assertThat(IpCommand.ip("netns", "list")).doesNotContain("dint-" + tag + "-");
        } finally {
            Files.deleteIfExists(src);
            LocalCluster.cleanLeftovers();
        }
    }

    @Test
    void ownerPatternReadsThePid() {
        assertThat(Leftovers.OWNED.matcher("dint-3f.12-s0").matches()).isTrue();
        assertThat(Leftovers.OWNED.matcher("dint-3f.t77").matches()).isTrue();
        assertThat(Leftovers.OWNED.matcher("dint-t-xyz").matches()).isFalse();
        assertThat(Leftovers.OWNED.matcher("other-3f.1-s0").matches()).isFalse();
        assertThat(Leftovers.ownerOf("dint-3f.12-s0")).hasValue(3 * 36 + 15); // "3f" in base 36
        assertThat(Leftovers.ownerOf("other-3f.1-s0")).isEmpty();
        assertThat(Leftovers.ownerOf(Leftovers.namespace(Leftovers.newTag(), "br"))).hasValue(ProcessHandle.current().pid());
        assertThat(Topology.macOf(0x0AE70001)).isEqualTo("02:00:0a:e7:00:01");
    }

    /**
     * A one-file Java program {@code name} whose main runs {@code body}, then says nothing more for a
     * minute: a child that stays up until it is stopped.
     */
    private static Path program(String name, String body) throws java.io.IOException {
        Path src = Files.createTempFile("dint-" + name.toLowerCase(java.util.Locale.ROOT), ".java");
        Files.writeString(src, "public class " + name + " {\n    public static void main(String[] args) throws Exception {\n"
                + body.indent(8) + "        System.out.flush();\n        Thread.sleep(60_000);\n    }\n}\n");
        return src;
    }
}
