package io.dint.occ;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.lock.LockClient;
import io.dint.lock.LockTrace;
import io.dint.server.ServerProcess;
import io.dint.server.StatCounters;
import io.dint.testing.LockMessages;
import io.dint.testing.LockTraceClient;
import io.dint.testing.Messages;
import io.dint.testing.OccMessages;
import io.dint.testing.ServiceCluster;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two lock services, 2PL and OCC, over a real network: server processes in one namespace per
 * backend, the client in another, veth and a bridge between them, XDP attached for real. Both run
 * the same lock trace to completion on each backend, and answer the same requests byte for byte.
 */
class LockServicesEndToEndTest {
    private static final long IDS = 5_000;
    private static final int TXNS = 3000;

    @RegisterExtension
    static final ServiceCluster CLUSTER = new ServiceCluster();

    enum Service {
        LOCK2PL("lock2pl", "--lock-ids", LockClient::new, Op.LOCK_ACQUIRE_SHARED, LockMessages::request,
                reply -> "status " + Messages.status(reply),
                (proc, trace) -> assertThat(proc.counters().get(Stat.GRANT)).isGreaterThanOrEqualTo(trace.totalLocks() / 2)),
        OCC("occ", "--keys", OccClient::new, Op.OCC_READ, OccMessages::request, OccMessages::describe, (proc, trace) -> {
            Map<String, Object> check = proc.check();
            StatCounters counters = proc.counters();
            assertThat(((Number) check.get("version_sum")).longValue()).as("one version per COMMIT applied")
                    .isEqualTo(counters.get(Stat.OCC_COMMIT));
            assertThat(counters.get(Stat.OCC_COMMIT)).as("every committed write").isGreaterThanOrEqualTo(TXNS / 2);
            assertThat(counters.get(Stat.OCC_READ)).as("reads and validations").isGreaterThanOrEqualTo(2L * TXNS);
        });

        final String name;
        final String idsOption;
        final LockTraceClient client;
        final int firstOp;
        final LockMessages.Builder requests;
        final Function<byte[], String> describe;
        final BiConsumer<ServerProcess, LockTrace> afterTrace;

        Service(String name, String idsOption, LockTraceClient client, int firstOp, LockMessages.Builder requests,
                Function<byte[], String> describe, BiConsumer<ServerProcess, LockTrace> afterTrace) {
            this.name = name;
            this.idsOption = idsOption;
            this.client = client;
            this.firstOp = firstOp;
            this.requests = requests;
            this.describe = describe;
            this.afterTrace = afterTrace;
        }

        ServerProcess start(int server, String backend) {
            return CLUSTER.serve(server, name, backend, idsOption, Long.toString(IDS), "--threads", "2");
        }
    }

    static Stream<Arguments> servicesOnBackends() {
        return Arrays.stream(Service.values()).flatMap(s -> Stream.of(Arguments.of(s, "xdp"), Arguments.of(s, "udp")));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("servicesOnBackends")
    void transactionsRunToCompletionAndLeaveEveryLockFree(Service service, String backend) throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(IDS, TXNS, 1));
        try (ServerProcess proc = service.start(0, backend)) {
            ClientStats stats = CLUSTER.runTrace(0, trace, TXNS, service.client);
            assertThat(stats.get(ClientStats.ABORTED)).as("16 in flight over 5000 ids conflict sometimes").isPositive();
            assertThat(proc.check()).containsEntry("all_free", true);
            service.afterTrace.accept(proc, trace);
        }
    }

    /** The same request sequence, one request at a time, gets byte-identical replies from both backends, which end alike. */
    @ParameterizedTest
    @EnumSource(Service.class)
    void xdpAndUdpBackendsAnswerIdentically(Service service) throws Exception {
        List<byte[]> requests = LockMessages.randomRequests(5, 1500, service.firstOp, service.requests);
        try (ServerProcess xdp = service.start(0, "xdp");
             ServerProcess udp = service.start(1, "udp")) {
            List<byte[]> fromXdp = CLUSTER.assertSameReplies(requests, service.describe);
            long distinct = fromXdp.stream().map(Messages::status).distinct().count();
            assertThat(distinct).as("the sequence exercises grant (ok), reject, ok and not-held").isGreaterThanOrEqualTo(4);
            assertThat(xdp.check()).isEqualTo(udp.check());
        }
    }
}
