package io.dint.occ;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.lock.LockTrace;
import io.dint.server.ServerProcess;
import io.dint.server.StatCounters;
import io.dint.testing.LockMessages;
import io.dint.testing.Messages;
import io.dint.testing.OccMessages;
import io.dint.testing.ServiceCluster;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The OCC service over a real network: a server process per backend in its own namespace, the
 * client in another, veth and a bridge between them, XDP attached for real.
 */
class OccServiceEndToEndTest {
    private static final long KEYS = 5_000;

    @RegisterExtension
    static final ServiceCluster CLUSTER = new ServiceCluster();

    private ServerProcess start(int server, String backend) {
        return CLUSTER.serve(server, "occ", backend, "--keys", Long.toString(KEYS), "--threads", "2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xdp", "udp"})
    void transactionsCommitAndLeaveEveryEntryUnlocked(String backend) throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(KEYS, 3000, 1));
        try (ServerProcess proc = start(0, backend)) {
            ClientStats stats = CLUSTER.runTrace(0, trace, 3000, OccClient::new);
            assertThat(stats.get(ClientStats.ABORTED)).as("16 in flight over 5000 keys conflict sometimes").isPositive();
            Map<String, Object> check = proc.check();
            assertThat(check).containsEntry("all_free", true);
            StatCounters counters = proc.counters();
            assertThat(((Number) check.get("version_sum")).longValue()).as("one version per COMMIT applied")
                    .isEqualTo(counters.get(Stat.OCC_COMMIT));
            assertThat(counters.get(Stat.OCC_COMMIT)).as("every committed write").isGreaterThanOrEqualTo(3000 / 2);
            assertThat(counters.get(Stat.OCC_READ)).as("reads and validations").isGreaterThanOrEqualTo(2L * 3000);
        }
    }

    /** The same request sequence, one request at a time, gets byte-identical replies from both backends. */
    @Test
    void xdpAndUdpBackendsAnswerIdentically() throws Exception {
        List<byte[]> requests = LockMessages.randomRequests(5, 1500, Op.OCC_READ, OccMessages::request);
        try (ServerProcess xdp = start(0, "xdp");
             ServerProcess udp = start(1, "udp")) {
            List<byte[]> fromXdp = CLUSTER.assertSameReplies(requests, OccMessages::describe);
            long distinct = fromXdp.stream().map(Messages::status).distinct().count();
            assertThat(distinct).as("the sequence exercises ok, grant, reject and not-held").isGreaterThanOrEqualTo(4);
            assertThat(xdp.check()).isEqualTo(udp.check());
        }
    }
}
