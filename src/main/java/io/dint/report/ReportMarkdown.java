package io.dint.report;

import io.dint.bench.BenchReport;
import io.dint.bench.LoadPoint;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The text of {@code report.md}: the summary tables across results, then per result where it came
 * from (file, time, machine, scale, core split), its table per backend, its ratios and checks, and
 * its figures.
 */
final class ReportMarkdown {
    private ReportMarkdown() {}

    /** Names the ratio figures print under, as a reader says them. */
    private static final Map<String, String> RATIOS = Map.of(
            "ratio", "xdp/udp", "ratio_xdp_afxdp", "xdp/afxdp", "ratio_afxdp_udp", "afxdp/udp", "ratio_memcached", "xdp/memcached");

    static String render(Map<Result, List<Report.Figure>> figures, Path out) {
        StringBuilder md = new StringBuilder();
        md.append("# DINT benchmark report\n\n");
        md.append("Rendered ").append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.withZone(ZoneOffset.UTC).format(Instant.now()).substring(0, 19))
                .append(" UTC by `./dint report` from ").append(figures.size()).append(figures.size() == 1 ? " result" : " results")
                .append(": ").append(figures.keySet().stream().map(r -> "`" + display(r.file(), out) + "`").collect(Collectors.joining(", ")))
                .append(".\n\n");
        summary(md, figures.keySet());
        for (Map.Entry<Result, List<Report.Figure>> e : figures.entrySet()) {
            section(md, e.getKey(), e.getValue(), out);
        }
        return md.toString();
    }

    private static void summary(StringBuilder md, java.util.Collection<Result> results) {
        List<Result> services = results.stream().filter(r -> r.kind() == Result.Kind.SERVICE && !r.points().isEmpty()).toList();
        List<Result> txns = results.stream().filter(r -> r.kind() == Result.Kind.TRANSACTIONS && !r.points().isEmpty()).toList();
        if (!services.isEmpty()) {
            md.append("## Summary: services\n\n");
            md.append("| bench | backend | per-core req/s | server µs/req | best req/s | unloaded p50 µs | xdp/udp per core | xdp/afxdp per core |\n");
            md.append("|---|---|--:|--:|--:|--:|--:|--:|\n");
            for (Result r : services) {
                BenchReport br = r.report();
                for (String b : r.backends()) {
                    BenchReport.Capacity cap = br.capacity(b);
                    boolean x = b.equals("xdp");
                    md.append(row(r.bench(), b, capacity(cap), us(cap.serverCoreUsPerRequest()), rate(br.best(b).repliesPerS()),
                            us(br.unloaded(b).p50Us()), x ? ratio(r.figure("ratio", "per_core_requests_per_s")) : "",
                            x ? ratio(r.figure("ratio_xdp_afxdp", "per_core_requests_per_s")) : ""));
                }
            }
            md.append("\nPer-core req/s: requests per second of one server CPU, at a point where the server CPUs were the wall;"
                    + " ~ estimated from busy time where no point saturated them, ≥ a lower bound (a busy-polling server whose client"
                    + " was the wall). Best req/s: the sweep point of highest throughput. Unloaded: the first point (one request in"
                    + " flight).\n\n");
        }
        if (!txns.isEmpty()) {
            md.append("## Summary: transactions\n\n");
            md.append("| bench | backend | best txn/s | abort rate | server µs/txn | unloaded txn p50 µs | xdp/udp server µs/txn |\n");
            md.append("|---|---|--:|--:|--:|--:|--:|\n");
            for (Result r : txns) {
                BenchReport br = r.report();
                for (String b : r.backends()) {
                    LoadPoint best = br.bestTxn(b);
                    md.append(row(r.bench(), b, rate(best.txnPerS()), percent(best.abortRate()), us(r.figure(b, "server_core_us_per_txn")),
                            us(br.unloaded(b).txnP50Us()), b.equals("xdp") ? ratio(r.figure("ratio", "server_core_us_per_txn")) : ""));
                }
            }
            md.append("\nServer µs/txn: CPU time of the three shard servers' CPUs per committed transaction at the best point"
                    + " (lower is better, so xdp/udp below 1 favours xdp).\n\n");
        }
    }

    private static void section(StringBuilder md, Result r, List<Report.Figure> figures, Path out) {
        md.append("## ").append(r.bench()).append("\n\n");
        md.append("Result `").append(display(r.file(), out)).append("`, measured ").append(r.time().isEmpty() ? "(no time recorded)" : r.time())
                .append(".\n\n");
        md.append("- Machine: ").append(machine(r.machine())).append('\n');
        md.append("- Scale: ").append(r.scale().entrySet().stream().filter(e -> !e.getKey().equals("core_split"))
                .map(e -> e.getKey() + " = " + text(e.getValue())).collect(Collectors.joining(", "))).append('\n');
        md.append("- Core split: ").append(coreSplit(r.scale().get("core_split"))).append("\n\n");
        if (r.kind() == Result.Kind.ABLATION) {
            ablationTable(md, r);
        } else if (r.points().isEmpty()) {
            md.append("No sweep point was measured: the run ended before its first.\n\n");
        } else if (r.kind() == Result.Kind.TRANSACTIONS) {
            txnTable(md, r);
        } else {
            serviceTable(md, r);
        }
        List<String> ratios = new ArrayList<>();
        r.figures().forEach((k, v) -> {
            String[] p = k.split("\\.", 3);
            if (p.length == 3 && RATIOS.containsKey(p[1])) {
                ratios.add(RATIOS.get(p[1]) + " " + p[2] + " " + ratio(v));
            }
        });
        if (!ratios.isEmpty()) {
            md.append("Ratios: ").append(String.join("; ", ratios)).append(".\n\n");
        }
        if (r.failures().isEmpty()) {
            md.append("Checks: all passed.\n\n");
        } else {
            md.append("Checks FAILED:\n\n");
            r.failures().forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        for (Report.Figure f : figures) {
            md.append("![").append(f.title()).append("](").append(f.file()).append(")\n\n");
            md.append("*").append(f.title()).append(".*\n\n");
        }
    }

    private static void serviceTable(StringBuilder md, Result r) {
        BenchReport br = r.report();
        md.append("| backend | best req/s (at) | p50 / p99 at best µs | unloaded p50 / p99 µs | per-core req/s | server µs/req"
                + " | client µs/req | wall at best | XDP ns/req |\n");
        md.append("|---|--:|--:|--:|--:|--:|--:|---|--:|\n");
        for (String b : r.backends()) {
            LoadPoint best = br.best(b), low = br.unloaded(b);
            BenchReport.Capacity cap = br.capacity(b);
            md.append(row(b, rate(best.repliesPerS()) + " (" + Result.shape(best) + ")", us(best.p50Us()) + " / " + us(best.p99Us()),
                    us(low.p50Us()) + " / " + us(low.p99Us()), capacity(cap), us(cap.serverCoreUsPerRequest()),
                    us(cap.at().clientCoreUsPerRequest()), best.wall() == null ? "" : best.wall(), ns(best.xdpNsPerRequest())));
        }
        md.append('\n');
    }

    private static void txnTable(StringBuilder md, Result r) {
        md.append("| backend | best txn/s (at) | abort rate | txn p50 / p99 at best µs | unloaded txn p50 µs | req/s at best"
                + " | server µs/txn | XDP slow path |\n");
        md.append("|---|--:|--:|--:|--:|--:|--:|--:|\n");
        BenchReport br = r.report();
        for (String b : r.backends()) {
            LoadPoint best = br.bestTxn(b);
            double slow = r.figure(b, "slow_path_share_" + Result.shape(best));
            md.append(row(b, rate(best.txnPerS()) + " (" + Result.shape(best) + ")", percent(best.abortRate()),
                    us(best.txnP50Us()) + " / " + us(best.txnP99Us()), us(br.unloaded(b).txnP50Us()), rate(best.repliesPerS()),
                    us(r.figure(b, "server_core_us_per_txn")), Double.isFinite(slow) ? percent(slow) : ""));
        }
        md.append('\n');
    }

    private static void ablationTable(StringBuilder md, Result r) {
        Ablation t = Ablation.of(r);
        md.append("Requests per second (share of requests that took the slow path), xdp backend");
        Object shape = r.scale().get("client_shape");
        md.append(shape == null ? ":\n\n" : ", client " + shape + ":\n\n");
        table(md, t, (row, p) -> rate(t.value(row, p, "requestsPerS")) + " (" + percent(t.value(row, p, "slowPathShare")) + ")");
        if (!t.paper().isMissingNode()) {
            md.append("\nThe paper's Table 1, Mops (8 server cores, 100 GbE):\n\n");
            table(md, t, (row, p) -> fmt("%.1f", t.paperMops(row, p)));
        }
        md.append('\n');
    }

    /** The ablation's rows against its policies, each cell as {@code cell} writes it. */
    private static void table(StringBuilder md, Ablation t, java.util.function.BinaryOperator<String> cell) {
        md.append("| workload |");
        t.policies().forEach(p -> md.append(' ').append(p).append(" |"));
        md.append("\n|---|");
        t.policies().forEach(p -> md.append("--:|"));
        md.append('\n');
        for (String row : t.rows()) {
            md.append("| ").append(row).append(" |");
            t.policies().forEach(p -> md.append(' ').append(cell.apply(row, p)).append(" |"));
            md.append('\n');
        }
    }

    private static String machine(Map<String, Object> m) {
        if (m.isEmpty()) {
            return "not recorded";
        }
        return m.get("cpus") + " CPUs (" + m.get("cpu_model") + "), memory " + m.get("memory") + ", kernel " + m.get("kernel")
                + ", " + m.get("java");
    }

    @SuppressWarnings("unchecked")
    private static String coreSplit(Object split) {
        if (split instanceof Map<?, ?> m) {
            Map<String, Object> s = (Map<String, Object>) m;
            return "server CPUs " + text(s.get("server_cpus")) + ", client CPUs and wire " + text(s.get("client_cpus"))
                    + (s.containsKey("napi") ? "; " + s.get("napi") : "");
        }
        return split == null ? "not recorded" : split.toString();
    }

    private static String text(Object v) {
        if (v instanceof List<?> l) {
            return l.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> e.getKey() + ": " + text(e.getValue())).collect(Collectors.joining("; "));
        }
        return String.valueOf(v);
    }

    private static String display(Path file, Path out) {
        Path f = file.toAbsolutePath().normalize(), o = out.toAbsolutePath().normalize();
        Path base = o.getParent() != null ? o.getParent() : o;
        return f.startsWith(base) ? base.relativize(f).toString() : f.toString();
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    static String capacity(BenchReport.Capacity cap) {
        if (!Double.isFinite(cap.perCoreRequestsPerS())) {
            return "n/a";
        }
        String mark = switch (Charts.CapacityKind.of(cap)) {
            case MEASURED -> "";
            case ESTIMATED -> "~";
            case LOWER_BOUND -> "≥";
        };
        return mark + rate(cap.perCoreRequestsPerS());
    }

    static String rate(double v) {
        return Double.isFinite(v) ? fmt("%,.0f", v) : "n/a";
    }

    static String us(double v) {
        return !Double.isFinite(v) ? "n/a" : fmt(v >= 100 ? "%,.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String ns(double v) {
        return Double.isFinite(v) ? fmt("%.0f", v) : "";
    }

    static String percent(double share) {
        return Double.isFinite(share) ? fmt(share < 0.1 ? "%.2f%%" : "%.1f%%", 100 * share) : "n/a";
    }

    private static String ratio(double v) {
        return Double.isFinite(v) ? fmt("%.2fx", v) : "n/a";
    }

    private static String fmt(String pattern, double v) {
        return String.format(Locale.ROOT, pattern, v);
    }
}
