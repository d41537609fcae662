package io.dint.testing;

import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.server.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a service's end-to-end tests run on, registered as a static {@code @RegisterExtension}
 * field: a local cluster of two server hosts (one per backend, for parity) and one client host,
 * up for the test class, with {@code dint serve} processes started on the servers.
 */
public final class ServiceCluster implements BeforeAllCallback, AfterAllCallback {
    private LocalCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = LocalCluster.create(2, 1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        cluster.close();
    }

    public Host client() {
        return cluster.clients().getFirst();
    }

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

    /** The reply to each request, sent one at a time from the client host to server {@code i}. */
    public List<byte[]> exchange(int i, List<byte[]> requests) throws InterruptedException {
        return Exchange.oneByOne(client(), server(i).ipv4(), requests);
    }
}
