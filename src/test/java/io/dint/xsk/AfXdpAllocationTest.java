package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.lock.LockClient;
import io.dint.lock.LockTable;
import io.dint.lock.LockTrace;
import io.dint.server.Allowlist;
import io.dint.testing.AllocationCheck;
import io.dint.testing.AllocationProbe;
import io.dint.testing.InNamespace;
import io.dint.wire.Wire;
import org.junit.jupiter.api.Test;

/**
 * Neither side of AF_XDP allocates per request: the lock client's loop over {@link AfXdpTransport}
 * and the {@link AfXdpServer}'s polling thread, both in this JVM on two hosts of a local cluster,
 * measured in steady-state windows after a warm-up ({@link AllocationProbe}).
 */
@AllocationCheck
class AfXdpAllocationTest {
    @Test
    void clientAndServerLoopsDoNotAllocatePerRequest() throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(100_000, 1000, 3));
        try (LocalCluster cluster = LocalCluster.create(1, 1)) {
            Host server = cluster.servers().getFirst();
            Host client = cluster.clients().getFirst();
            AfXdpServer afxdp = InNamespace.call(server, () -> new AfXdpServer(new LockTable(LockTable.sizeFor(100_000)),
                    server.iface(), Wire.PORT, Allowlist.parse(LocalCluster.subnetPrefix())));
            try (afxdp) {
                Thread worker = AllocationProbe.thread("afxdp-server-" + server.iface());
                // the loop's thread is started from the client's namespace, and so runs in it
                double[] perRequest = InNamespace.call(client, () -> {
                    try (AfXdpTransport transport = AfXdpTransport.open(client.iface(), client.ipv4(), 16)) {
                        ClientStats stats = new ClientStats();
                        LockClient c = new LockClient(transport, stats, trace, 1, server.ipv4(), Wire.PORT, 16, 0, 50_000_000L, 0);
                        double[] r = AllocationProbe.perRequest(c, stats, worker, 100_000, 50_000);
                        assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
                        return r;
                    }
                });
                System.out.printf("bytes per request: client %.5f, server %.5f%n", perRequest[0], perRequest[1]);
                assertThat(perRequest[0]).as("client bytes allocated per request").isLessThan(AllocationProbe.NONE);
                assertThat(perRequest[1]).as("server bytes allocated per request").isLessThan(AllocationProbe.NONE);
            }
        }
    }
}
