package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.lock.LockClient;
import io.dint.lock.LockTrace;
import io.dint.net.NetNs;
import io.dint.server.ServerProcess;
import io.dint.wire.Wire;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lock transactions from a client on AF_XDP against real servers over namespaces, veth and a bridge. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AfXdpClientEndToEndTest {
    private static final long LOCK_IDS = 5_000;

    private LocalCluster cluster;
    private Host client;
    private Host server;

    @BeforeAll
    void up() {
        cluster = LocalCluster.create(1, 1);
        client = cluster.clients().getFirst();
        server = cluster.servers().getFirst();
    }

    @AfterAll
    void down() {
        cluster.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"afxdp", "xdp", "udp"})
    void lockTransactionsRunToCompletionOverAfXdp(String backend) throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(LOCK_IDS, 3000, 1));
        try (ServerProcess proc = new ServerProcess(cluster.serve(server, List.of("--service",
                "lock2pl", "--backend", backend, "--lock-ids", Long.toString(LOCK_IDS), "--threads", "1")), Duration.ofSeconds(60))) {
            ClientStats stats = new ClientStats();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    NetNs.enter(client.netns());
                    try (AfXdpTransport transport = AfXdpTransport.open(client.iface(), client.ipv4(), 16)) {
                        new LockClient(transport, stats, trace, 1, server.ipv4(), Wire.PORT, 16, 0, 50_000_000L, 3000).run();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.join(120_000);
            assertThat(t.isAlive()).as("client finished").isFalse();
            assertThat(failure.get()).isNull();
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(3000);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(proc.check()).containsEntry("all_free", true);
        }
    }

    /** Two client threads, each with its own socket and port on the one shared UMEM, each get their own replies. */
    @Test
    void clientThreadsShareTheInterfaceAndGetTheirOwnReplies() throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(LOCK_IDS, 3000, 2));
        try (ServerProcess proc = new ServerProcess(cluster.serve(server, List.of("--service",
                "lock2pl", "--backend", "xdp", "--lock-ids", Long.toString(LOCK_IDS))), Duration.ofSeconds(60))) {
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
