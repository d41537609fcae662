package io.dint.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.server.UdpServer;
import io.dint.testing.AllocationProbe;
import org.junit.jupiter.api.Test;

/**
 * The hot paths allocate nothing per request: the lock client's loop, and the UDP backend's
 * serve loop, measured with the JVM's per-thread allocation counters over 100,000 requests on
 * loopback once warm ({@link AllocationProbe}).
 */
class LockAllocationTest {
    private static final int PORT = 20299;

    @Test
    void clientAndServerLoopsDoNotAllocatePerRequest() throws Exception {
        int loopback = Ipv4.parse("127.0.0.1");
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(100_000, 1000, 3));
        try (UdpServer server = new UdpServer(new LockTable(LockTable.sizeFor(100_000)), loopback, PORT, 1);
             UdpTransport transport = new UdpTransport(loopback, 16, 256)) {
            ClientStats stats = new ClientStats();
            LockClient client = new LockClient(transport, stats, trace, 1, loopback, PORT, 16, 0, 50_000_000L, 0);
            // fixed costs (the loop's arrays, latency recorders, the interpreted start) stay out;
            // nothing may scale with requests
            double[] perRequest = AllocationProbe.perRequest(client, stats, AllocationProbe.thread("udp-server-0"), 50_000, 100_000);
            assertThat(stats.get(ClientStats.COMMITTED)).isPositive();
            assertThat(perRequest[0]).as("client bytes allocated per request").isLessThan(1.0);
            assertThat(perRequest[1]).as("server bytes allocated per request").isLessThan(1.0);
        }
    }
}
