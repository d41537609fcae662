package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.cluster.Host;
import io.dint.lock.LockClient;
import io.dint.lock.LockTrace;
import io.dint.net.NetNs;
import io.dint.server.ServerProcess;
import io.dint.testing.InNamespace;
import io.dint.testing.ServiceCluster;
import io.dint.wire.Wire;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lock transactions from a client on AF_XDP against real servers over namespaces, veth and a bridge. */
class AfXdpClientEndToEndTest {
    private static final long LOCK_IDS = 5_000;

    @RegisterExtension
    static final ServiceCluster CLUSTER = new ServiceCluster(1, 1);

    private static ServerProcess start(String backend, String... options) {
        return CLUSTER.serve(0, "lock2pl", backend, Stream.concat(Stream.of("--lock-ids", Long.toString(LOCK_IDS)),
                Stream.of(options)).toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"afxdp", "xdp", "udp"})
    void lockTransactionsRunToCompletionOverAfXdp(String backend) throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(LOCK_IDS, 3000, 1));
        Host client = CLUSTER.client();
        int server = CLUSTER.server(0).ipv4();
        try (ServerProcess proc = start(backend, "--threads", "1")) {
            ClientStats stats = new ClientStats();
            InNamespace.run(client, () -> {
                try (AfXdpTransport transport = AfXdpTransport.open(client.iface(), client.ipv4(), 16)) {
                    new LockClient(transport, stats, trace, 1, server, Wire.PORT, 16, 0, 50_000_000L, 3000).run();
                }
            });
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(3000);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(proc.check()).containsEntry("all_free", true);
        }
    }

    /** Two client threads, each with its own socket and port on the one shared UMEM, each get their own replies. */
    @Test
    void clientThreadsShareTheInterfaceAndGetTheirOwnReplies() throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(LOCK_IDS, 3000, 2));
        Host client = CLUSTER.client();
        Host server = CLUSTER.server(0);
        try (ServerProcess proc = start("xdp")) {
            ClientStats[] stats = {new ClientStats(), new ClientStats()};
            int[] ports = new int[2];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch bothOpen = new CountDownLatch(2);
            List<Thread> threads = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int id = i;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        NetNs.enter(client.netns());
                        try (AfXdpTransport transport = AfXdpTransport.open(client.iface(), client.ipv4(), 32)) {
                            ports[id] = transport.localPort();
                            bothOpen.countDown();
                            bothOpen.await();
                            new LockClient(transport, stats[id], trace, id + 1, server.ipv4(), Wire.PORT, 32, id * 1500,
                                    50_000_000L, 1500).run();
                            assertThat(transport.counters()[1]).as("frames refused").isZero();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        bothOpen.countDown();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(120_000);
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(failure.get()).isNull();
            assertThat(ports[0]).isNotEqualTo(ports[1]);
            for (ClientStats s : stats) {
                assertThat(s.get(ClientStats.COMMITTED)).isEqualTo(1500);
                assertThat(s.get(ClientStats.PROTOCOL_ERRORS)).isZero();
                // a reply that reached the other thread would be stale there without a timeout to explain it
                assertThat(s.get(ClientStats.STALE)).as("stale replies").isLessThanOrEqualTo(s.get(ClientStats.TIMEOUTS));
            }
            assertThat(proc.check()).containsEntry("all_free", true);
        }
    }
}
