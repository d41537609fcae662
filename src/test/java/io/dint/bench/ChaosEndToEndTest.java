package io.dint.bench;

import io.dint.backend.Backend;
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
 * workload fault-free, then with 3% of the frames to every host dropped, 3% duplicated and 3%
 * reordered by the wire's BPF program, and in two of them a shard killed during the faulty run
 * (its slow path; the whole server), then fault-free again; the faults happen (the program's counters, the kills), the
 * checks over the whole history pass, no committed transaction is lost and transactions still
 * commit.
 */
class ChaosEndToEndTest {
    private static final WireFaults.Faults FAULTS = new WireFaults.Faults(0.03, 0.03, 0.03);

    private static Map<String, String> run(TxnWorkload workload, TxnBench.Servers servers, List<Backend> backends) throws Exception {
        return run(workload, servers, backends, Kill.NONE, Duration.ofMillis(1000));
    }

    private static Map<String, String> run(TxnWorkload workload, TxnBench.Servers servers, List<Backend> backends, Kill kill,
                                           Duration window) throws Exception {
        ChaosBench.Config cfg = new ChaosBench.Config(backends, new MicroBench.Shape(1, 16), Duration.ofMillis(300),
                window, FAULTS, kill, Duration.ofSeconds(2), Duration.ofSeconds(30), MicroBench.Client.AFXDP);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BenchReport report = ChaosBench.run(workload, servers, cfg, new PrintStream(log, true, StandardCharsets.UTF_8));
        String out = log.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertThat(report.failures()).as(out).isEmpty();
        Map<String, String> figures = new HashMap<>();
        report.figures().lines().forEach(l -> figures.put(l[0], l[1]));
        for (Backend b : backends) {
            String p = "chaos." + workload.name() + "." + b.id() + ".";
            assertThat(figures).as(out).containsEntry(p + "check_failures", "0").containsEntry(p + "lost_committed", "0")
                    .containsEntry(p + "protocol_errors", "0");
            assertThat(Double.parseDouble(figures.get(p + "kills"))).as(out).isEqualTo(kill == Kill.NONE ? 0 : 1);
            for (String injected : List.of("injected_drops", "injected_dups", "injected_reorders")) {
                assertThat(Double.parseDouble(figures.get(p + injected))).as("%s%s\n%s", p, injected, out).isPositive();
            }
            assertThat(Double.parseDouble(figures.get(p + "throughput_vs_fault_free"))).as(out).isPositive();
        }
        return figures;
    }

    @Test
    void smallbankOnEveryBackendUnderLossDuplicationAndReordering() throws Exception {
        run(new SmallbankWorkload(300), b -> List.of("--service", "smallbank", "--backend", b.id(), "--accounts", "300", "--threads", "1"),
                List.of(Backend.XDP, Backend.AFXDP, Backend.UDP));
    }

    /**
     * The Java slow path of an in-kernel shard killed mid-run (TATP with a small cache, so that it
     * serves much, and its requests and replies are lost, doubled and reordered too): its XDP
     * program serves on from the pinned maps, the restarted process takes them over and mends
     * what the killed one left half written.
     */
    @Test
    void aKilledSlowPathIsRestartedUnderItsServingXdpProgram() throws Exception {
        run(new TatpWorkload(200, 42), b -> List.of("--service", "tatp", "--backend", b.id(), "--subscribers", "200", "--seed", "42",
                "--threads", "1", "--cache-ratio", "0.2"), List.of(Backend.XDP), Kill.SLOW_PATH, Duration.ofMillis(2500));
    }

    /**
     * A whole shard server killed mid-run, maps and memory gone: it recovers from its log file and
     * its replicas and serves again; transactions under way finish or abort, none is lost.
     */
    @Test
    void aKilledServerRecoversFromItsLogAndItsReplicas() throws Exception {
        run(new SmallbankWorkload(300), b -> List.of("--service", "smallbank", "--backend", b.id(), "--accounts", "300", "--threads", "1"),
                List.of(Backend.XDP), Kill.SERVER, Duration.ofMillis(2500));
    }
}
