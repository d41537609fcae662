package io.dint.server;

import io.dint.wire.Stat;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A server's counters as Prometheus metrics, read once per scrape ({@link ServerControl#snapshot()}).
 * The names, as the text format shows them:
 *
 * <table>
 *   <caption>metrics</caption>
 *   <tr><td>{@code dint_ready}</td><td>gauge: 1 once serving, 0 while starting</td></tr>
 *   <tr><td>{@code dint_server_info{service,backend}}</td><td>what this server serves</td></tr>
 *   <tr><td>{@code dint_stat_total{stat}}</td><td>the service counters ({@code enum dint_stat}): for the xdp
 *       backend the kernel's per-CPU {@code stats} map summed over CPUs, for the Java backends their threads'</td></tr>
 *   <tr><td>{@code dint_stat_per_cpu_total{stat,cpu}}</td><td>the kernel's {@code stats} map per CPU (xdp backend)</td></tr>
 *   <tr><td>{@code dint_slow_path_stat_total{stat}}</td><td>the Java slow path's counters (xdp kv and shards)</td></tr>
 *   <tr><td>{@code dint_program_run_seconds_total{program}}, {@code dint_program_runs_total{program}}</td>
 *       <td>run time and runs of the XDP and TC programs ({@code bpf_stats})</td></tr>
 *   <tr><td>{@code dint_slow_path_share}</td><td>requests sent up to the slow path over those answered or sent up, since start</td></tr>
 *   <tr><td>{@code dint_dedup_hits_total}</td><td>retransmitted requests recognised by the dedup window</td></tr>
 *   <tr><td>{@code dint_log_drainer_lag_records}</td><td>records ACKed but not yet in the log file</td></tr>
 *   <tr><td>{@code dint_log_drained_records_total}, {@code dint_log_fsyncs_total}, {@code dint_log_file_records}</td>
 *       <td>the commit-log drainer</td></tr>
 *   <tr><td>{@code dint_server_figure{name}}</td><td>every other number {@code /stats} reports, as is</td></tr>
 * </table>
 */
public final class ServerMetrics implements MultiCollector {
    private static final Set<String> STATS = new HashSet<>();

    static {
        for (int i = 0; i < Stat.MAX; i++) {
            STATS.add(Stat.name(i));
        }
    }

    private final Supplier<ServerControl> control;

    /** Metrics of the server {@code control} supplies (null while it starts). */
    public ServerMetrics(Supplier<ServerControl> control) {
        this.control = control;
    }

    /**
     * The share of requests an XDP backend sent up to its slow path: {@code slow} sent up over
     * {@code slow + answered} (answered in the kernel); NaN before any request.
     */
    public static double slowPathShare(long slow, long answered) {
        return slow + answered == 0 ? Double.NaN : (double) slow / (slow + answered);
    }

    @Override
    public MetricSnapshots collect() {
        ServerControl c = control.get();
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        out.metricSnapshot(gauge("dint_ready", "1 once the server serves, 0 while it starts", Map.of(Labels.EMPTY, c == null ? 0.0 : 1.0)));
        if (c == null) {
            return out.build();
        }
        out.metricSnapshot(InfoSnapshot.builder().name("dint_server").help("The service and backend this server runs")
                .dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("service", String.valueOf(c.ready().get("service")),
                        "backend", String.valueOf(c.ready().get("backend")))).build()).build());
        ServerControl.Snapshot s = c.snapshot();
        Map<Labels, Double> stat = new LinkedHashMap<>();
        Map<Labels, Double> slow = new LinkedHashMap<>();
        Map<Labels, Double> runSeconds = new LinkedHashMap<>();
        Map<Labels, Double> runs = new LinkedHashMap<>();
        Map<Labels, Double> figures = new LinkedHashMap<>();
        s.stats().forEach((key, value) -> {
            if (!(value instanceof Number n)) {
                return;
            }
            double v = n.doubleValue();
            if (STATS.contains(key)) {
                stat.put(Labels.of("stat", key), v);
            } else if (key.startsWith(StatCounters.SLOW_PATH_PREFIX)
                    && STATS.contains(key.substring(StatCounters.SLOW_PATH_PREFIX.length()))) {
                slow.put(Labels.of("stat", key.substring(StatCounters.SLOW_PATH_PREFIX.length())), v);
            } else if (key.endsWith("_run_time_ns")) {
                runSeconds.put(Labels.of("program", key.substring(0, key.length() - "_run_time_ns".length())), v / 1e9);
            } else if (key.endsWith("_run_count")) {
                runs.put(Labels.of("program", key.substring(0, key.length() - "_run_count".length())), v);
            } else if (!key.startsWith("log_")) {
                figures.put(Labels.of("name", key), v);
            }
        });
        out.metricSnapshot(counter("dint_stat", "Service counters (enum dint_stat), summed over CPUs or server threads", stat));
        Map<Labels, Double> perCpu = new LinkedHashMap<>();
        s.perCpu().forEach((name, values) -> {
            for (int cpu = 0; cpu < values.length; cpu++) {
                perCpu.put(Labels.of("stat", name, "cpu", Integer.toString(cpu)), (double) values[cpu]);
            }
        });
        if (!perCpu.isEmpty()) {
            out.metricSnapshot(counter("dint_stat_per_cpu", "The kernel's per-CPU stats map, per CPU", perCpu));
        }
        if (!slow.isEmpty()) {
            out.metricSnapshot(counter("dint_slow_path_stat", "Counters of the Java slow path behind the XDP program", slow));
        }
        if (!runSeconds.isEmpty()) {
            out.metricSnapshot(counter("dint_program_run_seconds", "Time the BPF programs ran (bpf_stats)", runSeconds));
            out.metricSnapshot(counter("dint_program_runs", "Runs of the BPF programs (bpf_stats)", runs));
        }
        if (s.stats().get(Stat.name(Stat.KV_SLOW)) instanceof Number up) {
            out.metricSnapshot(gauge("dint_slow_path_share", "Requests sent up to the slow path over those answered in the kernel"
                    + " or sent up, since start", Map.of(Labels.EMPTY, slowPathShare(up.longValue(), number(s.stats(), Stat.name(Stat.TX))))));
        }
        out.metricSnapshot(counter("dint_dedup_hits", "Retransmitted requests recognised by the dedup window",
                Map.of(Labels.EMPTY, (double) (number(s.stats(), Stat.name(Stat.DUPLICATE)) + number(s.stats(), StatCounters.SLOW_PATH_PREFIX + Stat.name(Stat.DUPLICATE))))));
        if (s.stats().containsKey("log_pending")) {
            out.metricSnapshot(gauge("dint_log_drainer_lag_records", "Records ACKed but not yet drained to the log file",
                    Map.of(Labels.EMPTY, (double) number(s.stats(), "log_pending"))));
            out.metricSnapshot(counter("dint_log_drained_records", "Records the drainer moved to the log file",
                    Map.of(Labels.EMPTY, (double) number(s.stats(), "log_drained"))));
            out.metricSnapshot(counter("dint_log_fsyncs", "Group fsyncs of the log file",
                    Map.of(Labels.EMPTY, (double) number(s.stats(), "log_fsyncs"))));
            out.metricSnapshot(gauge("dint_log_file_records", "Records in the log file",
                    Map.of(Labels.EMPTY, (double) number(s.stats(), "log_file_records"))));
        }
        if (!figures.isEmpty()) {
            out.metricSnapshot(gauge("dint_server_figure", "Every other number /stats reports, as reported", figures));
        }
        return out.build();
    }

    private static long number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : 0;
    }

    private static CounterSnapshot counter(String name, String help, Map<Labels, Double> points) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        points.forEach((labels, v) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(v).build()));
        return b.build();
    }

    private static GaugeSnapshot gauge(String name, String help, Map<Labels, Double> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        points.forEach((labels, v) -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(v).build()));
        return b.build();
    }
}
