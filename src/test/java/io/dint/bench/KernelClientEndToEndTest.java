package io.dint.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.CoreSplit;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.lock.LockTrace;
import io.dint.server.ServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The in-kernel load generator against real servers over a local cluster with server and client
 * cores apart: lock transactions run to completion on every backend, every reply is matched, no
 * answer breaks the protocol, and once stopped no lock is left held.
 */
class KernelClientEndToEndTest {

    @Test
    void lockTransactionsRunOnEveryBackendAndLeaveNoLockHeld() throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(10_000, 5_000, 7));
        try (LocalCluster cluster = LocalCluster.create(1, 1, CoreSplit.defaults())) {
            Host server = cluster.servers().getFirst();
            Host client = cluster.clients().getFirst();
            for (String backend : List.of("xdp", "udp", "afxdp")) {
                try (ServerProcess proc = new ServerProcess(cluster.startDint(server, List.of("serve",
                        "--service", "lock2pl", "--backend", backend, "--lock-ids", "10000")), Duration.ofSeconds(60))) {
                    long[] c;
                    KernelClient k = KernelClient.start(KernelClient.Service.LOCK2PL, 64, 20_000_000L, client, server,
                            LockBench.kernelTrace(trace), 1);
                    try (k) {
                        // until 100 transactions committed (bounded in time): how soon depends on the machine's load
                        long deadline = System.nanoTime() + 60_000_000_000L;
                        do {
                            Thread.sleep(100);
                            c = k.counters();
                        } while (c[LoadGenLayout.STAT_COMMITTED] <= 100 && System.nanoTime() < deadline);
                    }
                    assertThat(k.unparked()).as("slots still holding locks after the stop (%s)", backend).isZero();
                    System.out.printf("kernel client %s: replies %d committed %d aborted %d retries %d resent %d stale %d protocol %d%n",
                            backend, c[LoadGenLayout.STAT_REPLIES], c[LoadGenLayout.STAT_COMMITTED], c[LoadGenLayout.STAT_ABORTED],
                            c[LoadGenLayout.STAT_RETRIES], c[LoadGenLayout.STAT_RESENT], c[LoadGenLayout.STAT_STALE],
                            c[LoadGenLayout.STAT_PROTOCOL]);
                    assertThat(c[LoadGenLayout.STAT_KICKS]).isEqualTo(64);
                    assertThat(c[LoadGenLayout.STAT_COMMITTED]).as(backend).isGreaterThan(100);
                    assertThat(c[LoadGenLayout.STAT_PROTOCOL]).as(backend).isZero();
                    Map<String, Object> check = proc.check();
                    assertThat(check).as(backend).containsEntry("all_free", true);
                }
            }
        }
    }
}
