package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.server.Allowlist;
import io.dint.server.DatagramService;
import io.dint.server.UdpServer;
import java.util.Arrays;

/**
 * What a client loop and the UDP backend's serve loop allocate per request, over loopback, in the
 * steady state ({@link AllocationProbe}: after a warm-up, the least of several windows).
 */
public final class Allocations {
    private Allocations() {}

    /** Makes a client loop that runs {@code txns} transactions (0: until stopped) against 127.0.0.1:{@code port}. */
    public interface ClientFactory {
        LoadLoop create(Transport transport, ClientStats stats, int addr, int port, long txns);
    }

    /**
     * Asserts that neither the client loop nor the server's worker, nor any of {@code also}'s
     * threads (looked up by name once serving: a drainer, say), allocates per request: less than
     * {@link AllocationProbe#NONE} bytes per request in windows of {@code measured} requests after
     * {@code warmup}. Returns each one's bytes per request: client, server, then {@code also}'s.
     */
    public static double[] assertNonePerRequest(DatagramService service, int port, ClientFactory clients, long warmup,
                                                long measured, String... also) throws InterruptedException {
        int loopback = Ipv4.parse("127.0.0.1");
        try (UdpServer server = new UdpServer(service, loopback, port, 1, Allowlist.parse("127.0.0.0/8"));
             UdpTransport transport = new UdpTransport(loopback, 16, 256)) {
            Thread[] watched = new Thread[also.length + 1];
            watched[0] = AllocationProbe.thread("udp-server-0");
            for (int i = 0; i < also.length; i++) {
                watched[i + 1] = AllocationProbe.thread(also[i]);
            }
            ClientStats stats = new ClientStats();
            double[] perRequest = AllocationProbe.perRequest(clients.create(transport, stats, loopback, port, 0), stats, watched,
                    warmup, measured);
            System.out.println("bytes per request (client, server, " + String.join(", ", also) + "): " + Arrays.toString(perRequest));
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(stats.get(ClientStats.COMMITTED)).isPositive();
            assertThat(perRequest[0]).as("client bytes allocated per request").isLessThan(AllocationProbe.NONE);
            assertThat(perRequest[1]).as("server bytes allocated per request").isLessThan(AllocationProbe.NONE);
            for (int i = 0; i < also.length; i++) {
                assertThat(perRequest[i + 2]).as("%s bytes allocated per request", also[i]).isLessThan(AllocationProbe.NONE);
            }
            return perRequest;
        }
    }
}
