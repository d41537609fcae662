package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.server.DatagramService;
import io.dint.server.UdpServer;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures what a client loop and the UDP backend's serve loop allocate per request, with the
 * JVM's per-thread allocation counter, over thousands of transactions on loopback after a warm-up.
 */
public final class Allocations {
    private static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {}

    /** Makes a client loop that runs {@code txns} transactions against 127.0.0.1:{@code port}. */
    public interface ClientFactory {
        LoadLoop create(Transport transport, ClientStats stats, int addr, int port, long txns);
    }

    /** Bytes allocated per request by the client thread and by the server's worker. */
    public record PerRequest(double client, double server, long requests) {}

    /**
     * Asserts that neither loop allocates per request over {@code txns} transactions (more than
     * {@code minRequests} requests): fixed costs (the loop's arrays, latency recorders) stay, so
     * less than one byte per request means nothing scales with requests, while one object per
     * request would be 16 bytes or more. Until C2 has compiled every path, interpreted and C1 code
     * allocates where compiled code does not; on a loaded machine that can outlast the warm-up, so
     * the check passes on the first of up to three rounds that is clean.
     */
    public static void assertNonePerRequest(DatagramService service, int port, ClientFactory clients, int txns,
                                            long minRequests) throws InterruptedException {
        PerRequest a = null;
        for (int round = 0; round < 3 && (a == null || a.client() >= 1.0 || a.server() >= 1.0); round++) {
            a = measure(service, port, clients, txns);
        }
        assertThat(a.requests()).isGreaterThan(minRequests);
        assertThat(a.client()).as("client bytes allocated per request").isLessThan(1.0);
        assertThat(a.server()).as("server bytes allocated per request").isLessThan(1.0);
    }

    public static PerRequest measure(DatagramService service, int port, ClientFactory clients, int txns) throws InterruptedException {
        int loopback = Ipv4.parse("127.0.0.1");
        try (UdpServer server = new UdpServer(service, loopback, port, 1, io.dint.server.Allowlist.parse("127.0.0.0/8"))) {
            // warm-up as long as the run: class loading, native handle linking, and C2 compiling every
            // path (interpreted or C1 code may allocate where compiled code does not)
            run(clients, loopback, port, txns, new AtomicLong());
            Thread worker = Thread.getAllStackTraces().keySet().stream()
                    .filter(th -> th.getName().equals("udp-server-0")).findFirst().orElseThrow();
            long serverBefore = MX.getThreadAllocatedBytes(worker.threadId());
            AtomicLong allocated = new AtomicLong();
            ClientStats stats = run(clients, loopback, port, txns, allocated);
            long serverAllocated = MX.getThreadAllocatedBytes(worker.threadId()) - serverBefore;
            long requests = stats.get(ClientStats.REPLIES);
            return new PerRequest((double) allocated.get() / requests, (double) serverAllocated / requests, requests);
        }
    }

    private static ClientStats run(ClientFactory clients, int addr, int port, int txns, AtomicLong allocated) throws InterruptedException {
        ClientStats stats = new ClientStats();
        Thread t = Thread.ofPlatform().start(() -> {
            try (UdpTransport transport = new UdpTransport(addr, 16, 256)) {
                LoadLoop client = clients.create(transport, stats, addr, port, txns);
                long before = MX.getCurrentThreadAllocatedBytes();
                client.run();
                allocated.set(MX.getCurrentThreadAllocatedBytes() - before);
            }
        });
        t.join(120_000);
        assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(txns);
        return stats;
    }
}
