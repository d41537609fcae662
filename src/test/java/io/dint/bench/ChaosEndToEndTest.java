package io.dint.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.WireFaults;
import io.dint.txn.TxnWorkload;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Short chaos runs, for real: three shard servers of each backend on the local cluster, the
 * workload fault-free and then with 3% of the frames to every host dropped, 3% duplicated and 3%
 * reordered by the wire's BPF program; the faults happen (its counters), the checks over the
 * whole history pass, no committed transaction is lost and transactions still commit.
 */
class ChaosEndToEndTest {
    private static final WireFaults.Faults FAULTS = new WireFaults.Faults(0.03, 0.03, 0.03);

    private static Map<String, String> run(TxnWorkload workload, TxnBench.Servers servers, List<String> backends) throws Exception {
        ChaosBench.Config cfg = new ChaosBench.Config(backends, new MicroBench.Shape(1, 16), Duration.ofMillis(300),
                Duration.ofMillis(1500), FAULTS, Kill.NONE, null, Duration.ofSeconds(30), MicroBench.Client.AFXDP);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BenchReport report = ChaosBench.run(workload, servers, cfg, new PrintStream(log, true, StandardCharsets.UTF_8));
        String out = log.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertThat(report.failures()).as(out).isEmpty();
        Map<String, String> figures = new HashMap<>();
        report.figures().lines().forEach(l -> figures.put(l[0], l[1]));
        for (String b : backends) {
            String p = "chaos." + workload.name() + "." + b + ".";
            assertThat(figures).as(out).containsEntry(p + "check_failures", "0").containsEntry(p + "lost_committed", "0")
                    .containsEntry(p + "protocol_errors", "0").containsEntry(p + "kills", "0");
            for (String injected : List.of("injected_drops", "injected_dups", "injected_reorders")) {
                assertThat(Double.parseDouble(figures.get(p + injected))).as("%s%s\n%s", p, injected, out).isPositive();
            }
            assertThat(Double.parseDouble(figures.get(p + "throughput_vs_fault_free"))).as(out).isPositive();
        }
        return figures;
    }

    @Test
    void smallbankOnEveryBackendUnderLossDuplicationAndReordering() throws Exception {
        run(new SmallbankWorkload(300), b -> List.of("--service", "smallbank", "--backend", b, "--accounts", "300", "--threads", "1"),
                List.of("xdp", "afxdp", "udp"));
    }

    /** TATP on the in-kernel shard with a small cache: slow-path requests and replies are lost, doubled and reordered too. */
    @Test
    void tatpOnTheKernelShardWithItsSlowPathUnderFaults() throws Exception {
        run(new TatpWorkload(200, 42), b -> List.of("--service", "tatp", "--backend", b, "--subscribers", "200", "--seed", "42",
                "--threads", "1", "--cache-ratio", "0.2"), List.of("xdp"));
    }
}
