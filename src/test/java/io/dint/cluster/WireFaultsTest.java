package io.dint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.bench.KernelClient;
import io.dint.bench.LoadGenLayout;
import io.dint.lock.LockTrace;
import io.dint.server.ServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Faults on the wire, for real: lock transactions from the kernel client through a bridge that
 * drops, duplicates and reorders frames. The faults happen (the program's counters), the client
 * sees them (resends after drops, stale replies after duplicates), the server recognises the
 * duplicates (its dedup window) and, once the client has stopped, no lock is left held.
 */
class WireFaultsTest {

    @Test
    void lockServiceSurvivesDropsDuplicatesAndReordering() throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(10_000, 2_000, 3));
        try (LocalCluster cluster = LocalCluster.create(1, 1);
             WireFaults faults = WireFaults.attach(cluster)) {
            Host server = cluster.servers().getFirst();
            Host client = cluster.clients().getFirst();
            Host stranger = new Host("s9", server.netns(), server.iface(), server.ipv4() + 9, server.mac());
            assertThatThrownBy(() -> faults.set(stranger, WireFaults.Faults.NONE)).hasMessageContaining("host s9 is not a host of");
            try (ServerProcess proc = new ServerProcess(cluster.startDint(server, List.of("serve",
                    "--service", "lock2pl", "--backend", "xdp", "--lock-ids", "10000")), Duration.ofSeconds(60))) {
                faults.setAll(new WireFaults.Faults(0.02, 0.05, 0.05));
                long[] c;
                KernelClient k = KernelClient.start(KernelClient.Service.LOCK2PL, 32, 5_000_000L, client, server,
                        io.dint.bench.LockBench.kernelTrace(trace), 1);
                try (k) {
                    Thread.sleep(1500);
                    faults.setAll(WireFaults.Faults.NONE); // let the stop drain without losses
                    c = k.counters();
                }
                Map<String, Long> done = faults.counters();
                System.out.println("wire faults: " + done + "; client: committed " + c[LoadGenLayout.STAT_COMMITTED]
                        + " resent " + c[LoadGenLayout.STAT_RESENT] + " stale " + c[LoadGenLayout.STAT_STALE]);
                assertThat(done.get("dropped")).isPositive();
                assertThat(done.get("duplicated")).isPositive();
                assertThat(done.get("reordered")).isPositive();
                assertThat(done.get("detoured")).as("every detoured frame came back").isEqualTo(done.get("reordered"));
                assertThat(c[LoadGenLayout.STAT_RESENT]).as("requests resent after a drop").isPositive();
                assertThat(c[LoadGenLayout.STAT_STALE]).as("duplicate replies recognised as stale").isPositive();
                assertThat(c[LoadGenLayout.STAT_COMMITTED]).isPositive();
                assertThat(c[LoadGenLayout.STAT_PROTOCOL]).isZero();
                assertThat(k.unparked()).isZero();
                assertThat(((Number) proc.stats().get(io.dint.wire.Stat.name(io.dint.wire.Stat.DUPLICATE))).longValue()).as("retransmissions the server recognised").isPositive();
                assertThat(proc.check()).containsEntry("all_free", true);
            }
        }
    }
}
