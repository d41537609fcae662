package io.dint.bench;

import io.dint.cluster.CoreSplit;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table that ends {@code ./dint bench}: per benchmark and backend, the capacity per server CPU
 * (marked {@code ~} where estimated from busy time, {@code >=} where a lower bound), the server CPU
 * time per request (or per committed transaction), the unloaded p50, and xdp's ratios.
 */
public final class Summary {
    private Summary() {}

    public static void print(List<BenchReport> reports, CoreSplit split, PrintStream out) {
        if (reports.isEmpty()) {
            return;
        }
        out.println();
        out.println("== summary" + (split == null ? " (no core split: XDP runs on the sending CPU)"
                : " (server CPUs " + split.serverList() + ", client CPUs and wire " + split.clientList() + ")"));
        out.printf(Locale.ROOT, "%-14s %-9s %16s %13s %13s %13s %10s %10s%n", "bench", "backend", "per-core req/s",
                "server us/req", "server us/txn", "unloaded p50", "xdp/udp", "xdp/afxdp");
        for (BenchReport r : reports) {
            if (r.backends().isEmpty()) {
                continue;
            }
            Map<String, String> figures = new java.util.LinkedHashMap<>();
            r.figures().lines().forEach(l -> figures.put(l[0], l[1]));
            boolean txn = figures.keySet().stream().anyMatch(k -> k.endsWith(".server_core_us_per_txn"));
            for (String b : r.backends()) {
                BenchReport.Capacity cap = r.capacity(b);
                String perCore = txn ? "" : (cap.saturated() ? "" : cap.estimate() ? "~" : ">=")
                        + String.format(Locale.ROOT, "%.0f", cap.perCoreRequestsPerS());
                String usTxn = figures.getOrDefault(r.bench() + "." + b + ".server_core_us_per_txn", "");
                out.printf(Locale.ROOT, "%-14s %-9s %16s %13.2f %13s %10.1f us %10s %10s%n", r.bench(), b, perCore,
                        cap.serverCoreUsPerRequest(), usTxn, r.unloaded(b).p50Us(),
                        b.equals("xdp") ? ratio(figures, r.bench() + ".ratio." + (txn ? "server_core_us_per_txn" : "per_core_requests_per_s")) : "",
                        b.equals("xdp") && !txn ? ratio(figures, r.bench() + ".ratio_xdp_afxdp.per_core_requests_per_s") : "");
            }
        }
        out.println("per-core req/s: at a point where the server CPUs were the wall; ~ estimated from busy time,"
                + " >= a lower bound (a busy-polling server whose client was the wall). xdp/udp for transactions:"
                + " server us per committed transaction (lower is better).");
    }

    private static String ratio(Map<String, String> figures, String key) {
        String v = figures.get(key);
        return v == null ? "" : v + "x";
    }
}
