package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.lock.LockTrace;
import io.dint.server.ServerProcess;
import io.dint.wire.Wire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a service's end-to-end tests run on, registered as a static {@code @RegisterExtension}
 * field: a local cluster of server hosts (by default two, one per backend, for parity) and client
 * hosts, up for the test class, with {@code dint serve} processes started on the servers.
 */
public final class ServiceCluster implements BeforeAllCallback, AfterAllCallback {
    private final int servers;
    private final int clients;
    private LocalCluster cluster;

    /** Two servers and one client. */
    public ServiceCluster() {
        this(2, 1);
    }

    /** {@code servers} server hosts and {@code clients} client hosts. */
    public ServiceCluster(int servers, int clients) {
        this.servers = servers;
        this.clients = clients;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = LocalCluster.create(servers, clients);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        cluster.close();
    }

    /** The cluster itself, for what the helpers here do not do. */
    public LocalCluster cluster() {
        return cluster;
    }

    /** The (first) client host. */
    public Host client() {
        return cluster.clients().getFirst();
    }

    /** Server host {@code i}. */
    public Host server(int i) {
        return cluster.servers().get(i);
    }

    /** Starts {@code dint serve --service S --backend B OPTIONS...} on server {@code i} and waits until it is READY. */
    public ServerProcess serve(int i, String service, String backend, String... options) {
        List<String> args = new ArrayList<>(List.of("--service", service, "--backend", backend));
        args.addAll(List.of(options));
        return new ServerProcess(cluster.serve(server(i), args), Duration.ofSeconds(60));
    }

    /** Runs a client loop to its end on the client host, over a kernel UDP transport (16 datagrams a batch). */
    public void runClient(Function<Transport, LoadLoop> loop) throws InterruptedException {
        InNamespace.run(client(), () -> {
            try (UdpTransport transport = new UdpTransport(client().ipv4(), 16, 256)) {
                loop.apply(transport).run();
            }
        });
    }

    /**
     * Runs {@code txns} transactions of {@code trace} from the client host against server {@code i}
     * ({@link LockTraceClient#running}) and checks that every one committed without a protocol error.
     */
    public ClientStats runTrace(int i, LockTrace trace, long txns, LockTraceClient client) throws InterruptedException {
        ClientStats stats = new ClientStats();
        Allocations.ClientFactory clients = client.running(trace);
        runClient(transport -> clients.create(transport, stats, server(i).ipv4(), Wire.PORT, txns));
        assertThat(stats.get(ClientStats.COMMITTED)).as("transactions committed").isEqualTo(txns);
        assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).as("protocol errors").isZero();
        return stats;
    }

    /** The reply to each request, sent one at a time from the client host to server {@code i}. */
    public List<byte[]> exchange(int i, List<byte[]> requests) throws InterruptedException {
        return Exchange.oneByOne(client(), server(i).ipv4(), requests);
    }

    /**
     * Sends the same requests, one at a time, to servers 0 and 1 and checks that every reply is the
     * same byte for byte; {@code describe} shows a differing pair. Returns server 0's replies.
     */
    public List<byte[]> assertSameReplies(List<byte[]> requests, Function<byte[], String> describe) throws InterruptedException {
        List<byte[]> first = exchange(0, requests);
        List<byte[]> second = exchange(1, requests);
        for (int r = 0; r < requests.size(); r++) {
            assertThat(first.get(r)).as("reply %d: %s, then %s", r, describe.apply(first.get(r)), describe.apply(second.get(r)))
                    .isEqualTo(second.get(r));
        }
        return first;
    }
}
