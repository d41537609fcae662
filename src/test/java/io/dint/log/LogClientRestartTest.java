package io.dint.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.server.UdpServer;
import io.dint.wire.RequestIds;
import io.dint.wire.Wire;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request ids across restarts: clients started one after the other under the same client id
 * append to one log, and replay tells every append apart — each carries its client's incarnation
 * above a counter that starts from the beginning again. (Without incarnations the second
 * client's appends would repeat the first one's request ids and replay would count them as
 * retransmissions.)
 */
class LogClientRestartTest {
    @Test
    void appendsOfClientsRestartedUnderOneIdAreAllDistinct(@TempDir Path dir) throws Exception {
        String ring = "restart-" + ProcessHandle.current().pid();
        Path logPath = dir.resolve("restart.dlog");
        int addr = Ipv4.parse("127.0.0.1");
        int port = 20261;
        Set<Integer> incarnations = new HashSet<>();
        ShmRings storage = ShmRings.open(ShmRings.path(ring), 1, 1024);
        LogFile file = LogFile.open(logPath);
        try (LogServer server = new LogServer(storage, file, new FsyncPolicy(Duration.ofMillis(10), 4096), 100_000,
                rings -> new UdpServer(new LogService(rings), addr, port, 1))) {
            for (int restart = 0; restart < 3; restart++) {
                ClientStats stats = new ClientStats();
                try (UdpTransport transport = new UdpTransport(addr, 16, 256)) {
                    new LogClient(transport, stats, 5, addr, port, 4, 1000, restart, 50_000_000L, 200,
                            (clientId, seq, key, version) -> incarnations.add(RequestIds.incarnationOf(seq))).run();
                }
                assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(200);
            }
            assertThat(server.check()).containsEntry("all_drained", true);
        }
        LogReplay replay = LogReplay.read(logPath);
        assertThat(replay.records()).isGreaterThanOrEqualTo(600);
        assertThat(replay.distinct()).as("every append told apart by its request id").isEqualTo(600);
        assertThat(incarnations).as("one per client").hasSize(3).doesNotContain(0);
    }
}
