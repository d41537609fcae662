package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.net.MsgBatch;
import io.dint.net.NetNs;
import io.dint.net.UdpSocket;
import io.dint.server.ServerProcess;
import io.dint.testing.InNamespace;
import io.dint.testing.LockMessages;
import io.dint.testing.Messages;
import io.dint.testing.ServiceCluster;
import io.dint.wire.Op;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The afxdp backend over namespaces: the same replies as the other backends, the kernel stack
 * untouched for everything that is not ours, and nothing left attached when a server goes away,
 * killed included.
 */
class AfXdpServerEndToEndTest {
    private static final long LOCK_IDS = 5_000;

    @RegisterExtension
    static final ServiceCluster CLUSTER = new ServiceCluster(3, 1);

    private final LocalCluster cluster = CLUSTER.cluster();
    private final Host client = CLUSTER.client();

    private static ServerProcess start(int server, String backend) {
        return CLUSTER.serve(server, "lock2pl", backend, "--lock-ids", Long.toString(LOCK_IDS), "--threads", "1");
    }

    /** The same request sequence, one request at a time, gets byte-identical replies from all three backends. */
    @Test
    void afxdpAnswersExactlyLikeXdpAndUdp() throws Exception {
        List<byte[]> requests = LockMessages.randomRequests(7, 1500, Op.LOCK_ACQUIRE_SHARED, LockMessages::request);
        try (ServerProcess afxdp = start(0, "afxdp"); ServerProcess xdp = start(1, "xdp");
             ServerProcess udp = start(2, "udp")) {
            List<byte[]> fromAfxdp = CLUSTER.exchange(0, requests);
            List<byte[]> fromXdp = CLUSTER.exchange(1, requests);
            List<byte[]> fromUdp = CLUSTER.exchange(2, requests);
            for (int i = 0; i < requests.size(); i++) {
                assertThat(fromAfxdp.get(i)).as("reply %d vs udp", i).isEqualTo(fromUdp.get(i));
                assertThat(fromAfxdp.get(i)).as("reply %d vs xdp", i).isEqualTo(fromXdp.get(i));
            }
            assertThat(fromAfxdp.stream().map(Messages::status).distinct().count())
                    .as("the sequence exercises grant, reject, ok and not-held").isGreaterThanOrEqualTo(4);
            Map<String, Object> st = afxdp.stats();
            assertThat(((Number) st.get("afxdp_frames")).longValue()).as("served over AF_XDP: %s", st).isGreaterThanOrEqualTo(1500);
            assertThat(afxdp.check()).isEqualTo(udp.check());
        }
    }

    /** With AF_XDP sockets and the redirect program on both ends, ping and ordinary UDP sockets still work. */
    @Test
    void trafficThatIsNotOursReachesTheKernelStack() throws Exception {
        Host server = CLUSTER.server(0);
        try (ServerProcess afxdp = start(0, "afxdp")) {
            InNamespace.run(client, () -> {
                try (AfXdpTransport t = AfXdpTransport.open(client.iface(), client.ipv4(), 8)) {
                    assertThat(cluster.exec(client, "ip", "link", "show", "dev", client.iface())).contains("xdp");
                    assertThat(cluster.exec(server, "ip", "link", "show", "dev", server.iface())).contains("xdp");
                    cluster.exec(client, "ping", "-c", "2", "-W", "2", server.address());
                    cluster.exec(server, "ping", "-c", "2", "-W", "2", client.address());
                    kernelUdpRoundTrip(server);
                    // and the transport itself still answers: a lock request over AF_XDP
                    byte[] req = LockMessages.request(Op.LOCK_ACQUIRE_SHARED, 1, 1, 99);
                    MemorySegment.copy(req, 0, t.txBuffer(0), ValueLayout.JAVA_BYTE, 0, req.length);
                    t.setTx(0, req.length, server.ipv4(), Wire.PORT);
                    assertThat(t.flush(1)).isEqualTo(1);
                    int n = 0;
                    for (int i = 0; i < 50 && n == 0; i++) {
                        n = t.poll(100);
                    }
                    assertThat(n).isEqualTo(1);
                    assertThat(t.rxLength(0)).isEqualTo(Wire.LOCK_MSG_SIZE);
                    Map<String, Long> st = t.interfaceStats();
                    assertThat(st.get("pass")).as("ping and UDP passed to the kernel: %s", st).isPositive();
                }
            });
            assertThat(cluster.exec(client, "ip", "link", "show", "dev", client.iface()))
                    .as("the last transport closed: no program left").doesNotContain("xdp");
        }
        assertThat(cluster.exec(server, "ip", "link", "show", "dev", server.iface()))
                .as("the server quit: no program left").doesNotContain("xdp");
    }

    /**
     * An ordinary kernel UDP exchange, client to server on another port and back, while both
     * interfaces run the redirect program. Called on a thread in the client's namespace.
     */
    private void kernelUdpRoundTrip(Host server) {
        UdpSocket srv;
        try (var _ = NetNs.enterTemporarily(server.netns())) {
            srv = UdpSocket.open(server.ipv4(), Wire.PORT + 1, false);
        }
        try (srv; UdpSocket cli = UdpSocket.open(client.ipv4(), 0, false); MsgBatch b = MsgBatch.allocate(1, 64)) {
            b.slot(0).set(ValueLayout.JAVA_BYTE, 0, (byte) 'p');
            b.setLength(0, 1);
            b.setPeer(0, server.ipv4(), Wire.PORT + 1);
            assertThat(cli.send(b, 1)).isEqualTo(1);
            assertThat(srv.receive(b, 2000)).as("the server's kernel socket got it").isEqualTo(1);
            assertThat(b.peerAddr(0)).isEqualTo(client.ipv4());
            assertThat(srv.send(b, 1)).isEqualTo(1); // back to where it came from
            assertThat(cli.receive(b, 2000)).as("the client's kernel socket got the answer").isEqualTo(1);
            assertThat(b.slot(0).get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 'p');
        }
    }

    /** A server process that attached is killed with SIGKILL: its program and sockets go with it. */
    @Test
    void aKilledServerLeavesNothingAttached() throws Exception {
        Host server = CLUSTER.server(1);
        ServerProcess proc = start(1, "afxdp");
        long pid = ((Number) proc.ready().get("pid")).longValue();
        assertThat(cluster.exec(server, "ip", "link", "show", "dev", server.iface())).contains("xdp");
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        h.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
        h.onExit().get();
        String link = "";
        for (int i = 0; i < 50; i++) {
            link = cluster.exec(server, "ip", "link", "show", "dev", server.iface());
            if (!link.contains("xdp")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(link).as("XDP program detached with the killed process").doesNotContain("xdp");
        assertThat(cluster.exec(server, "bpftool", "net", "show", "dev", server.iface())).doesNotContain("driver");
        proc.close();
        // the queue and its UMEM were released too: a new AF_XDP server binds the same queue
        try (ServerProcess again = start(1, "afxdp")) {
            assertThat(again.ready()).containsEntry("backend", "afxdp");
        }
    }
}
