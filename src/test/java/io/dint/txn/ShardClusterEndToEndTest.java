package io.dint.txn;

import io.dint.backend.Backend;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bench.BenchReport;
import io.dint.bench.LoadPoint;
import io.dint.bench.MicroBench;
import io.dint.bench.TxnBench;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Both workloads on a local cluster of three shard servers (separate processes in their own
 * namespaces, AF_XDP client) on every backend — xdp, afxdp, udp: population through the insert
 * path, a short closed-loop run, and every check — ledger or call-forwarding integrity, success
 * rates, replicas agreeing, each replica's commit log (the xdp shard's drained file read back)
 * replaying to its records, each replica holding what committed transactions wrote, no lock left,
 * serializability of every committed transaction — with no reply the commit protocol does not
 * allow, as the bench's figures say.
 */
class ShardClusterEndToEndTest {
    private static final MicroBench.Config CONFIG = new MicroBench.Config(List.of(Backend.XDP, Backend.AFXDP, Backend.UDP),
            List.of(new MicroBench.Shape(1, 8)), Duration.ofMillis(200), Duration.ofSeconds(1));

    private static BenchReport run(io.dint.txn.TxnWorkload workload, TxnBench.Servers servers) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BenchReport report = TxnBench.run(workload, servers, CONFIG, new PrintStream(log, true, StandardCharsets.UTF_8));
        String out = log.toString(StandardCharsets.UTF_8);
        assertThat(report.failures()).as(out).isEmpty();
        Map<String, String> figures = new java.util.HashMap<>();
        report.figures().lines().forEach(l -> figures.put(l[0], l[1]));
        for (String backend : CONFIG.backends().stream().map(Backend::id).toList()) {
            List<LoadPoint> points = report.points(backend);
            assertThat(points).as(out).hasSize(1);
            assertThat(points.getFirst().txnPerS()).as("%s committed transactions\n%s", backend, out).isPositive();
            @SuppressWarnings("unchecked")
            Map<String, Object> checks = (Map<String, Object>) report.checks().get(backend);
            assertThat(checks.get("workload_checks")).as(out).isEqualTo("all passed");
            assertThat(checks.get("serializable")).as(out).isEqualTo(true);
            assertThat(figures).as(out).containsEntry(workload.name() + "." + backend + ".protocol_errors", "0")
                    .containsEntry(workload.name() + "." + backend + ".check_failures", "0");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> replicas = (List<Map<String, Object>>) checks.get("servers");
            for (Map<String, Object> server : replicas) {
                assertThat(((Number) server.get("log_records")).longValue()).as("%s: the replica's commit log was read back\n%s",
                        backend, out).isPositive();
            }
        }
        return report;
    }

    @Test
    void smallbankOnEveryBackend() throws Exception {
        run(new SmallbankWorkload(600), b -> List.of("--service", "smallbank", "--backend", b.id(), "--accounts", "600", "--threads", "1"));
    }

    /** TATP with a cache of a tenth of the records: the slow path and write-backs take part. */
    @Test
    void tatpOnEveryBackendWithASmallCache() throws Exception {
        run(new TatpWorkload(300, 42), b -> List.of("--service", "tatp", "--backend", b.id(), "--subscribers", "300", "--seed", "42",
                "--threads", "1", "--cache-ratio", "0.1"));
    }
}
