package io.dint.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.testing.Exchange;
import io.dint.testing.LockMessages;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server's control endpoint over the network: {@code dint serve --control} in a server
 * namespace, asked from the client host while requests are served in XDP; the Prometheus text
 * parsed back and compared with the JSON counters; the server keeps serving when its stdin ends
 * and stops cleanly on SIGTERM.
 */
class ControlEndpointEndToEndTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void create() {
        cluster = LocalCluster.create(1, 1);
    }

    @AfterAll
    static void close() {
        cluster.close();
    }

    private static Host server() {
        return cluster.servers().getFirst();
    }

    private static InetSocketAddress endpoint() {
        return new InetSocketAddress(server().address(), 9230);
    }

    private static Process serve(String backend) {
        return cluster.startDint(server(), List.of("serve", "--service", "lock2pl", "--backend", backend,
                "--lock-ids", "1000", "--threads", "1", "--control", server().address() + ":9230"));
    }

    @Test
    void readyStatsCheckAndMetricsAnswerWhileTheServerServes() throws Exception {
        try (ServerProcess proc = new ServerProcess(serve("xdp"), Duration.ofSeconds(60));
             ControlClient http = ControlClient.await("s0", endpoint(), cluster.clients().getFirst().netns(), Duration.ofSeconds(20))) {
            assertThat(http.ready()).containsEntry("service", "lock2pl").containsEntry("backend", "xdp")
                    .containsEntry("pid", proc.ready().get("pid"));
            List<byte[]> requests = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                requests.add(LockMessages.request(Op.LOCK_ACQUIRE_SHARED, i, 1, i));
                requests.add(LockMessages.request(Op.LOCK_RELEASE_SHARED, i, 1, 1000 + i));
            }
            Exchange.oneByOne(cluster.clients().getFirst(), server().ipv4(), requests);

            StatCounters stats = http.counters();
            // rx also counts the endpoint's own TCP frames (passed up untouched); tx only the answers
            assertThat(stats.get(Stat.TX)).isEqualTo(100);
            assertThat(stats.get(Stat.GRANT)).isEqualTo(50);
            assertThat(proc.counters().get(Stat.TX)).as("the stdin protocol answers the same").isEqualTo(stats.get(Stat.TX));
            assertThat(http.check()).containsEntry("all_free", true);

            String metrics = http.metrics();
            assertThat(value(metrics, "dint_ready", "")).isEqualTo(1.0);
            assertThat(metrics).contains("dint_server_info{backend=\"xdp\",service=\"lock2pl\"} 1");
            assertThat(value(metrics, "dint_stat_total", "stat=\"tx\"")).isEqualTo(100.0);
            assertThat(value(metrics, "dint_stat_total", "stat=\"grant\"")).isEqualTo(50.0);
            assertThat(sumPerCpu(metrics, "tx")).as("the per-CPU series add up to the total").isEqualTo(100.0);
            assertThat(value(metrics, "dint_program_runs_total", "program=\"xdp\"")).isGreaterThanOrEqualTo(100.0);
            assertThat(value(metrics, "dint_program_run_seconds_total", "program=\"xdp\"")).isPositive();
            assertThat(value(metrics, "dint_dedup_hits_total", "")).isZero();
            assertThat(metrics).contains("# TYPE dint_stat_total counter").contains("# HELP dint_stat_total");
        }
        assertThatThrownBy(() -> ControlClient.await("s0", endpoint(), cluster.clients().getFirst().netns(), Duration.ofMillis(300)))
                .as("quit on stdin stopped the server and its endpoint")
                .hasMessageContaining("server s0 is not ready").hasMessageContaining("10.231.0.1:9230")
                .hasMessageContaining("cannot connect");
    }

    @Test
    void withAnEndpointTheServerOutlivesItsStdinAndStopsOnSigterm() throws Exception {
        Process p = serve("udp");
        LocalCluster.awaitLine(p, "READY", Duration.ofSeconds(60));
        p.getOutputStream().close(); // as under nohup or a service manager: no stdin
        try (ControlClient http = ControlClient.await("s0", endpoint(), cluster.clients().getFirst().netns(), Duration.ofSeconds(20))) {
            Thread.sleep(300);
            assertThat(p.isAlive()).isTrue();
            assertThat(http.stats()).containsKey("rx");
            assertThat(http.metrics()).doesNotContain("dint_stat_per_cpu_total"); // no kernel map on the udp backend
        }
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("a signalled JVM exits 143").isEqualTo(143);
    }

    private static double value(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + (labels.isEmpty() ? "" : "\\{" + Pattern.quote(labels) + "\\}")
                + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("%s{%s} in\n%s", name, labels, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static double sumPerCpu(String text, String stat) {
        Matcher m = Pattern.compile("(?m)^dint_stat_per_cpu_total\\{cpu=\"\\d+\",stat=\"" + stat + "\"\\} (\\S+)$").matcher(text);
        double sum = 0;
        int n = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            n++;
        }
        assertThat(n).as("per-CPU series of %s", stat).isPositive();
        return sum;
    }
}
