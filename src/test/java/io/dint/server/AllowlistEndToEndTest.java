package io.dint.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.net.Ipv4;
import io.dint.net.MsgBatch;
import io.dint.net.UdpSocket;
import io.dint.testing.InNamespace;
import io.dint.testing.LockMessages;
import io.dint.testing.ServiceCluster;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code dint serve --allow} on every backend over namespaces: the client host has two addresses,
 * the server allows one; requests from the other are never answered and are counted.
 */
class AllowlistEndToEndTest {
    private static final int OUTSIDER = Ipv4.parse("10.231.0.250");

    @RegisterExtension
    static final ServiceCluster CLUSTER = new ServiceCluster(1, 1);

    @BeforeAll
    static void aSecondClientAddress() {
        Host client = CLUSTER.client();
        CLUSTER.cluster().exec(client, "ip", "addr", "add", Ipv4.format(OUTSIDER) + "/" + LocalCluster.PREFIX_LENGTH, "dev", client.iface());
    }

    @ParameterizedTest
    @ValueSource(strings = {"xdp", "udp", "afxdp"})
    void onlyTheAllowedPrefixIsServed(String backend) throws Exception {
        Host client = CLUSTER.client();
        Host server = CLUSTER.server(0);
        List<String> args = List.of("serve", "--service", "lock2pl", "--backend", backend,
                "--lock-ids", "1000", "--threads", "1", "--allow", Ipv4.format(client.ipv4()) + "/32");
        try (ServerProcess proc = new ServerProcess(CLUSTER.cluster().startDint(server, args), Duration.ofSeconds(60))) {
            assertThat(proc.ready()).containsEntry("allow", Ipv4.format(client.ipv4()) + "/32");
            assertThat(answered(client.ipv4(), server.ipv4(), 1)).as("from the allowed address").isTrue();
            assertThat(answered(OUTSIDER, server.ipv4(), 2)).as("from the other address").isFalse();
            StatCounters stats = proc.counters();
            assertThat(stats.get(Stat.DROP_NOT_ALLOWED)).as("counted").isPositive();
            assertThat(stats.get(Stat.GRANT)).as("nothing applied for the outsider").isEqualTo(1);
        }
    }

    /** Sends one lock request from {@code from} (resent 3 times); true when it was answered. */
    private static boolean answered(int from, int server, long seq) throws InterruptedException {
        return InNamespace.call(CLUSTER.client(), () -> {
            try (UdpSocket c = UdpSocket.open(from, 0, false); MsgBatch b = MsgBatch.allocate(1, 256)) {
                byte[] req = LockMessages.request(Op.LOCK_ACQUIRE_SHARED, 5, seq, seq);
                boolean got = false;
                for (int attempt = 0; attempt < 3 && !got; attempt++) {
                    MemorySegment.copy(MemorySegment.ofArray(req), 0, b.slot(0), 0, req.length);
                    b.setLength(0, req.length);
                    b.setPeer(0, server, Wire.PORT);
                    c.send(b, 1);
                    got = c.receive(b, 1000) == 1;
                }
                return got;
            }
        });
    }
}
