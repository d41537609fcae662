package io.dint.lock;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.dint.client.ClientStats;
import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.server.UdpServer;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The hot paths allocate nothing per request: the lock client's loop, and the UDP backend's
 * serve loop, measured with the JVM's per-thread allocation counter over thousands of
 * transactions on loopback after a warm-up.
 */
class LockAllocationTest {
    private static final int PORT = 20299;
    private static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void clientAndServerLoopsDoNotAllocatePerRequest() throws Exception {
        int loopback = Ipv4.parse("127.0.0.1");
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(100_000, 1000, 3));
        try (UdpServer server = new UdpServer(new LockTable(LockTable.sizeFor(100_000)), loopback, PORT, 1)) {
            // warm-up: class loading, JIT, native handle linking. C1 code still allocates where C2's escape
            // analysis does not (a slice of the errno capture per downcall), and on a busy machine C2 comes late.
            for (int i = 0; i < 5; i++) {
                run(trace, loopback, 3_000);
            }
            Thread worker = Thread.getAllStackTraces().keySet().stream()
                    .filter(th -> th.getName().equals("udp-server-0")).findFirst().orElseThrow();
            long serverBefore = MX.getThreadAllocatedBytes(worker.threadId());
            AtomicLong allocated = new AtomicLong();
            ClientStats stats = run(trace, loopback, 20_000, allocated);
            long serverAllocated = MX.getThreadAllocatedBytes(worker.threadId()) - serverBefore;
            long requests = stats.get(ClientStats.REPLIES);
            assertThat(requests).isGreaterThan(100_000);
            // fixed costs (the loop's arrays, latency recorders) stay; nothing scales with requests
            assertThat((double) allocated.get() / requests).as("client bytes allocated per request").isLessThan(1.0);
            assertThat((double) serverAllocated / requests).as("server bytes allocated per request").isLessThan(1.0);
        }
    }

    private static ClientStats run(LockTrace trace, int addr, int txns) throws InterruptedException {
        return run(trace, addr, txns, new AtomicLong());
    }

    private static ClientStats run(LockTrace trace, int addr, int txns, AtomicLong allocated) throws InterruptedException {
        ClientStats stats = new ClientStats();
        Thread t = Thread.ofPlatform().start(() -> {
            try (UdpTransport transport = new UdpTransport(addr, 16, 256)) {
                LockClient client = new LockClient(transport, stats, trace, 1, addr, PORT, 16, 0, 50_000_000L, txns);
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
