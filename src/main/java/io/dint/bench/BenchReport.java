package io.dint.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one benchmark measured: the scale it ran at, every sweep point of every backend, the
 * end-of-run checks and the server counters. Derives the headline figures — per backend the
 * best-throughput point and the unloaded (first) point — and the XDP/UDP ratios, prints them and
 * writes the whole report as JSON under {@code results/}.
 */
public final class BenchReport {
    private final String bench;
    private final Map<String, Object> scale = new LinkedHashMap<>();
    private final List<LoadPoint> points = new ArrayList<>();
    private final Map<String, Object> checks = new LinkedHashMap<>();
    private final Map<String, Object> serverStats = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<String, Object> details = new LinkedHashMap<>();
    private final List<Object[]> extraFigures = new ArrayList<>();

    private Path written;

    public BenchReport(String bench) {
        this.bench = bench;
    }

    public String bench() {
        return bench;
    }

    public Map<String, Object> scale() {
        return scale;
    }

    public Map<String, Object> checks() {
        return checks;
    }

    public Map<String, Object> serverStats() {
        return serverStats;
    }

    public List<String> failures() {
        return failures;
    }

    /** Records a server's end-of-run check under {@code name}; fails the report unless {@code flag} is true in it. */
    public void check(String name, Map<String, Object> check, String flag, String what) {
        checks.put(name, check);
        if (!Boolean.TRUE.equals(check.get(flag))) {
            fail(name + ": " + what + ": " + check);
        }
    }

    /** Benchmark-specific results beyond the sweep points, written to the JSON as {@code details}. */
    public Map<String, Object> details() {
        return details;
    }

    /** A benchmark-specific figure, printed and recorded after the common ones. */
    public void addFigure(String backend, String figure, double value) {
        extraFigures.add(new Object[] {backend, figure, value});
    }

    public void add(LoadPoint p) {
        points.add(p);
    }

    public void fail(String why) {
        failures.add(why);
    }

    public List<LoadPoint> points(String backend) {
        return points.stream().filter(p -> p.backend().equals(backend)).toList();
    }

    /**
     * The point of highest reply rate among the loaded ones: the first point of a sweep is the
     * unloaded one (one request in flight, with a core split served inline on the sending CPU), for
     * latency only.
     */
    public LoadPoint best(String backend) {
        return loaded(backend).stream().max(Comparator.comparingDouble(LoadPoint::repliesPerS)).orElseThrow();
    }

    /**
     * The point of most committed transactions among the loaded ones: where a transaction bench's
     * per-transaction figures are taken and what a report shows as its best.
     */
    public LoadPoint bestTxn(String backend) {
        return loaded(backend).stream().max(Comparator.comparingDouble(LoadPoint::txnPerS)).orElseThrow();
    }

    /** Every point of the backend's sweep but the unloaded first one (all of them when there is only one). */
    public List<LoadPoint> loaded(String backend) {
        List<LoadPoint> all = points(backend);
        return all.size() > 1 ? all.subList(1, all.size()) : all;
    }

    /** The first point, one thread with one request in flight: the unloaded latency. */
    public LoadPoint unloaded(String backend) {
        return points(backend).getFirst();
    }

    /**
     * A backend's capacity per server CPU: requests per second of server CPU time (one second over
     * the server tasks' CPU time per request, which other load on the machine does not inflate),
     * taken at its best point where the server CPUs were full and the client's were not
     * ({@code saturated}); where no point saturated the server, at its best point, as an
     * {@code estimate}. A busy-polling backend's tasks use their whole CPU at any load, so without
     * a saturated point its figure is a lower bound.
     */
    public record Capacity(double perCoreRequestsPerS, double serverCoreUsPerRequest, boolean saturated, boolean estimate,
                           LoadPoint at) {}

    public Capacity capacity(String backend) {
        boolean polls = MicroBench.busyPolls(backend);
        LoadPoint sat = loaded(backend).stream().filter(p -> p.serverSaturated(polls))
                .max(Comparator.comparingDouble(LoadPoint::repliesPerS)).orElse(null);
        LoadPoint at = sat != null ? sat : best(backend);
        return new Capacity(at.perCoreRequestsPerS(), at.serverCoreUsPerRequest(), sat != null, sat == null && !polls, at);
    }

    public List<String> backends() {
        return points.stream().map(LoadPoint::backend).distinct().toList();
    }

    public Figures figures() {
        Figures f = new Figures(bench);
        List<String> backends = backends();
        for (String b : backends) {
            Capacity cap = capacity(b);
            f.add(b, "server_core_us_per_request", cap.serverCoreUsPerRequest());
            f.add(b, "client_core_us_per_request", cap.at().clientCoreUsPerRequest());
            f.add(b, "per_core_requests_per_s", cap.perCoreRequestsPerS());
            f.add(b, "server_saturated", cap.saturated() ? 1 : 0);
            LoadPoint best = best(b);
            LoadPoint low = unloaded(b);
            f.add(b, "requests_per_s", best.repliesPerS());
            f.add(b, "goodput_requests_per_s", best.goodputRequestsPerS());
            f.add(b, "txn_per_s", best.txnPerS());
            f.add(b, "abort_rate", best.abortRate());
            f.add(b, "p50_us", best.p50Us());
            f.add(b, "p99_us", best.p99Us());
            f.add(b, "p999_us", best.p999Us());
            f.add(b, "unloaded_p50_us", low.p50Us());
            f.add(b, "unloaded_p99_us", low.p99Us());
            f.add(b, "cpu_us_per_request", best.machineCpuUsPerRequest());
            f.add(b, "client_cpu_us_per_request", best.clientCpuUsPerRequest());
            f.add(b, "client_cpu_share", best.clientCpuShare());
            f.add(b, "client_user_cpu_us_per_request", best.clientUserCpuUsPerRequest());
            if (!Double.isNaN(best.xdpNsPerRequest())) {
                f.add(b, "xdp_ns_per_request", best.xdpNsPerRequest());
            }
        }
        if (backends.contains("xdp") && backends.contains("udp")) {
            f.add("ratio", "per_core_requests_per_s", capacity("xdp").perCoreRequestsPerS() / capacity("udp").perCoreRequestsPerS());
            f.add("ratio", "server_core_us_per_request",
                    capacity("xdp").serverCoreUsPerRequest() / capacity("udp").serverCoreUsPerRequest());
            LoadPoint x = best("xdp"), u = best("udp");
            f.add("ratio", "requests_per_s", x.repliesPerS() / u.repliesPerS());
            f.add("ratio", "goodput_requests_per_s", x.goodputRequestsPerS() / u.goodputRequestsPerS());
            f.add("ratio", "unloaded_p50", unloaded("xdp").p50Us() / unloaded("udp").p50Us());
            f.add("ratio", "cpu_us_per_request", x.machineCpuUsPerRequest() / u.machineCpuUsPerRequest());
        }
        if (backends.contains("afxdp") && backends.contains("udp")) {
            f.add("ratio_afxdp_udp", "requests_per_s", best("afxdp").repliesPerS() / best("udp").repliesPerS());
        }
        if (backends.contains("xdp") && backends.contains("afxdp")) {
            f.add("ratio_xdp_afxdp", "requests_per_s", best("xdp").repliesPerS() / best("afxdp").repliesPerS());
            f.add("ratio_xdp_afxdp", "per_core_requests_per_s",
                    capacity("xdp").perCoreRequestsPerS() / capacity("afxdp").perCoreRequestsPerS());
        }
        if (backends.contains("xdp") && backends.contains("memcached")) {
            f.add("ratio_memcached", "per_core_requests_per_s",
                    capacity("xdp").perCoreRequestsPerS() / capacity("memcached").perCoreRequestsPerS());
        }
        for (Object[] e : extraFigures) {
            f.add((String) e[0], (String) e[1], (Double) e[2]);
        }
        return f;
    }

    /** Writes {@code results/<bench>-<utc time>.json} and returns its path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path file = dir.resolve(bench + "-" + stamp + ".json");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", bench);
        doc.put("time", Instant.now().toString());
        doc.put("machine", Machine.describe());
        doc.put("scale", scale);
        doc.put("points", points);
        doc.put("checks", checks);
        doc.put("server_stats", serverStats);
        doc.put("failures", failures);
        doc.put("details", details);
        Map<String, String> figures = new LinkedHashMap<>();
        figures().lines().forEach(l -> figures.put(l[0], l[1]));
        doc.put("figures", figures);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        written = file;
        return file;
    }

    /** The file {@link #write} last wrote, or null. */
    public Path written() {
        return written;
    }

    public void printFigures(PrintStream out) {
        figures().print(out);
    }
}
