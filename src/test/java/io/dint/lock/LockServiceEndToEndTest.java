package io.dint.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.server.ServerProcess;
import io.dint.testing.LockMessages;
import io.dint.testing.Messages;
import io.dint.testing.ServiceCluster;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lock service over a real network: server processes in one namespace per backend, clients
 * in another, veth and a bridge between them, XDP attached for real.
 */
class LockServiceEndToEndTest {
    private static final long LOCK_IDS = 5_000;

    @RegisterExtension
    static final ServiceCluster CLUSTER = new ServiceCluster();

    private ServerProcess start(int server, String backend) {
        return CLUSTER.serve(server, "lock2pl", backend, "--lock-ids", Long.toString(LOCK_IDS), "--threads", "2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xdp", "udp"})
    void transactionsRunToCompletionAndLeaveEveryLockFree(String backend) throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(LOCK_IDS, 3000, 1));
        try (ServerProcess proc = start(0, backend)) {
            ClientStats stats = CLUSTER.runTrace(0, trace, 3000, LockClient::new);
            assertThat(stats.get(ClientStats.ABORTED)).as("16 in flight over 5000 ids conflict sometimes").isPositive();
            assertThat(proc.check()).containsEntry("all_free", true);
            assertThat(proc.counters().get(Stat.GRANT)).isGreaterThanOrEqualTo(trace.totalLocks() / 2);
        }
    }

    /** The same request sequence, one request at a time, gets byte-identical replies from both backends. */
    @Test
    void xdpAndUdpBackendsAnswerIdentically() throws Exception {
        List<byte[]> requests = LockMessages.randomRequests(5, 1500, Op.LOCK_ACQUIRE_SHARED, LockMessages::request);
        try (ServerProcess xdp = start(0, "xdp");
             ServerProcess udp = start(1, "udp")) {
            List<byte[]> fromXdp = CLUSTER.assertSameReplies(requests, reply -> "status " + Messages.status(reply));
            long distinct = fromXdp.stream().map(Messages::status).distinct().count();
            assertThat(distinct).as("the sequence exercises grant, reject, ok and not-held; xdp %s, udp %s", xdp.stats(), udp.stats())
                    .isGreaterThanOrEqualTo(4);
        }
    }
}
