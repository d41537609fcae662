package io.dint.net;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NetNsTest {
    /** Named like LocalCluster's namespaces (dint-<creator pid base36>.<rest>) so a crashed run is cleaned up. */
    private final String ns = "dint-" + Long.toString(ProcessHandle.current().pid(), 36) + ".t" + System.nanoTime() % 100000;

    @BeforeEach
    void createNamespace() throws Exception {
        ip("netns", "add", ns);
        ip("-n", ns, "link", "set", "lo", "up");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ip("netns", "del", ns);
        assertThat(Files.exists(Path.of(NetNs.NETNS_DIR + ns))).isFalse();
    }

    @Test
    void socketOpenedInsideIsIsolatedFromRootNamespace() throws Exception {
        String home = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        UdpSocket inside;
        UdpSocket insideSender;
        try (var _ = NetNs.enterTemporarily(ns)) {
            assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString()).isNotEqualTo(home);
            inside = UdpSocket.open(Ipv4.LOOPBACK, 0, false);
            insideSender = UdpSocket.open(Ipv4.LOOPBACK, 0, false);
        }
        assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString()).isEqualTo(home);
        try (inside; insideSender;
                UdpSocket outside = UdpSocket.open(Ipv4.LOOPBACK, 0, false);
                MsgBatch b = MsgBatch.allocate(4, 64)) {
            b.slot(0).set(JAVA_INT, 0, 7);
            b.setLength(0, 4);
            b.setPeer(0, Ipv4.LOOPBACK, inside.localPort());
            // From the root namespace the port is somebody else's (or nobody's) 127.0.0.1.
            outside.send(b, 1);
            assertThat(inside.receive(b, 200)).isZero();
            // From inside it is reachable: the socket does work.
            b.setPeer(0, Ipv4.LOOPBACK, inside.localPort());
            assertThat(insideSender.send(b, 1)).isEqualTo(1);
            assertThat(inside.receive(b, 2000)).isEqualTo(1);
            assertThat(b.slot(0).get(JAVA_INT, 0)).isEqualTo(7);
            assertThat(b.peerPort(0)).isEqualTo(insideSender.localPort());
        }
    }

    @Test
    void unknownNamespaceFailsClearly() {
        assertThatThrownBy(() -> NetNs.enterTemporarily("dint-no-such-ns"))
                .hasMessageContaining("/var/run/netns/dint-no-such-ns")
                .hasMessageContaining("No such file");
    }

    static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
