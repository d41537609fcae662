package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.testing.OnHost;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code dint tune} on a veth in a server namespace of a local cluster: the plan says what is and
 * what will be and changes nothing; {@code --apply} makes the changes the device supports and
 * reports the others; planned again, nothing is left to change. irqbalance is a machine-wide
 * service, so the test leaves it alone ({@code --skip irqbalance}); a veth has no IRQs to move.
 */
class TuneEndToEndTest {
    private static final Duration LIMIT = Duration.ofMinutes(2);

    @Test
    void plansThenAppliesWhatTheVethSupportsAndReportsTheRest() throws Exception {
        try (LocalCluster cluster = LocalCluster.create(1, 0)) {
            Host s0 = cluster.servers().getFirst();
            String[] args = {"tune", "--iface", "eth0", "--server-cpus", "0", "--mtu", "1400", "--skip", "irqbalance"};

            OnHost.Run plan = OnHost.run(s0, LIMIT, args);
            assertThat(plan.exit()).as(plan.output()).isZero();
            assertThat(plan.output()).contains("tune eth0 (driver veth), server CPUs 0: plan")
                    .containsPattern("mtu +1500 +1400 +change").containsPattern("gro +off +on +change")
                    .containsPattern("threaded-napi +0 +1, threads on CPUs 0 +change")
                    .containsPattern("coalescing +not supported").containsPattern("rss +not supported")
                    .containsPattern("queues +rx 1 tx 1 +rx 1 tx 1 +ok").containsPattern("irq-affinity +no IRQs +n/a")
                    .containsPattern("irqbalance +skipped").contains("3 change(s) planned; run with --apply");
            assertThat(cluster.exec(s0, "cat", "/sys/class/net/eth0/mtu").trim()).as("a plan changes nothing").isEqualTo("1500");

            String[] apply = java.util.Arrays.copyOf(args, args.length + 1);
            apply[args.length] = "--apply";
            OnHost.Run applied = OnHost.run(s0, LIMIT, apply);
            assertThat(applied.exit()).as(applied.output()).isZero();
            assertThat(applied.output()).containsPattern("mtu +1500 +1400 +applied").containsPattern("gro +off +on +applied")
                    .containsPattern("threaded-napi .* applied").containsPattern("rss +not supported").contains("3 change(s) made");
            assertThat(cluster.exec(s0, "cat", "/sys/class/net/eth0/mtu").trim()).isEqualTo("1400");
            assertThat(cluster.exec(s0, "cat", "/sys/class/net/eth0/threaded").trim()).isEqualTo("1");

            OnHost.Run again = OnHost.run(s0, LIMIT, args);
            assertThat(again.exit()).as(again.output()).isZero();
            assertThat(again.output()).containsPattern("mtu +1400 +1400 +ok").contains("nothing to change");

            OnHost.Run missing = OnHost.run(s0, LIMIT, "tune", "--iface", "eth9");
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.output()).contains("no interface 'eth9' here");
            OnHost.Run badStep = OnHost.run(s0, LIMIT, "tune", "--iface", "eth0", "--skip", "irq");
            assertThat(badStep.exit()).isEqualTo(1);
            assertThat(badStep.output()).contains("no step 'irq' to skip: the steps are mtu, coalescing, irqbalance");
        }
    }
}
