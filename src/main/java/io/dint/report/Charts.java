package io.dint.report;

import io.dint.bench.BenchReport;
import io.dint.bench.LoadPoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of a report, built with XChart from one {@link Result}: throughput against latency
 * (one line per backend, p50 solid and p99 dashed), capacity per server CPU (bars coloured by how
 * the figure was obtained), the KV ablation as grouped bars, and the transaction benchmarks'
 * committed transactions and abort rates per sweep point. Each chart is one panel; {@link Figure}
 * puts one or two panels in a PNG.
 */
final class Charts {
    private Charts() {}

    /** One colour per backend, the same in every chart. */
    private static final Map<String, Color> BACKEND_COLORS = Map.of(
            "xdp", new Color(0x1f77b4), "afxdp", new Color(0xff7f0e), "udp", new Color(0x2ca02c),
            "memcached", new Color(0x9467bd));
    private static final Color[] OTHER_COLORS = {new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};
    /** The ablation's policies: write-through, write-back, write-back + Bloom. */
    private static final Color[] POLICY_COLORS = {new Color(0xd62728), new Color(0xff7f0e), new Color(0x1f77b4)};

    static Color color(String backend, List<String> all) {
        Color c = BACKEND_COLORS.get(backend);
        return c != null ? c : OTHER_COLORS[Math.floorMod(all.indexOf(backend), OTHER_COLORS.length)];
    }

    /**
     * Request (or, for transactions, transaction) latency against throughput, one point per sweep
     * point in sweep order; p50 solid with circles, p99 dashed with diamonds; latency on a log
     * scale, since the unloaded point and the saturated ones are orders of magnitude apart. Null
     * when no point has a positive throughput and latency.
     */
    static XYChart latency(Result r, int width, int height) {
        boolean txn = r.kind() == Result.Kind.TRANSACTIONS;
        XYChart c = new XYChartBuilder().width(width).height(height)
                .title(r.bench() + ": throughput against latency (" + (txn ? "transactions" : "requests") + ")")
                .xAxisTitle(txn ? "committed transactions per second" : "requests per second (replies)")
                .yAxisTitle((txn ? "transaction" : "request") + " latency, us (log scale)").build();
        style(c);
        c.getStyler().setYAxisLogarithmic(true).setXAxisDecimalPattern("#,##0").setYAxisDecimalPattern("#,##0.#")
                .setXAxisMin(0.0);
        boolean any = false;
        for (String b : r.backends()) {
            List<LoadPoint> pts = r.points().stream().filter(p -> p.backend().equals(b)).toList();
            any |= line(c, b + " p50", pts, txn ? LoadPoint::txnPerS : LoadPoint::repliesPerS,
                    txn ? LoadPoint::txnP50Us : LoadPoint::p50Us, color(b, r.backends()), false);
            any |= line(c, b + " p99", pts, txn ? LoadPoint::txnPerS : LoadPoint::repliesPerS,
                    txn ? LoadPoint::txnP99Us : LoadPoint::p99Us, color(b, r.backends()), true);
        }
        if (!any) {
            return null;
        }
        // whole decades, so that the log axis labels at least two of them
        double lo = c.getSeriesCollection().stream().mapToDouble(XYSeries::getYMin).min().orElse(1);
        double hi = c.getSeriesCollection().stream().mapToDouble(XYSeries::getYMax).max().orElse(10);
        c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo)))).setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi))));
        return c;
    }

    private static boolean line(XYChart c, String name, List<LoadPoint> pts, ToDoubleFunction<LoadPoint> x,
                                ToDoubleFunction<LoadPoint> y, Color color, boolean dashed) {
        List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (LoadPoint p : pts) {
            double a = x.applyAsDouble(p), b = y.applyAsDouble(p);
            if (Double.isFinite(a) && Double.isFinite(b) && a > 0 && b > 0) {
                xs.add(a);
                ys.add(b);
            }
        }
        if (xs.isEmpty()) {
            return false;
        }
        XYSeries s = c.addSeries(name, xs, ys);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(dashed ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
        s.setLineStyle(dashed ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
        s.setLineWidth(dashed ? 1.5f : 2.5f);
        return true;
    }

    /** How a backend's capacity figure was obtained, as the legend says it. */
    enum CapacityKind {
        MEASURED("measured: server CPUs were the wall", new Color(0x1f77b4)),
        ESTIMATED("estimated from busy time (server not saturated)", new Color(0x9ecae1)),
        LOWER_BOUND("lower bound (busy-polling server, client was the wall)", new Color(0xfdae6b));

        final String legend;
        final Color color;

        CapacityKind(String legend, Color color) {
            this.legend = legend;
            this.color = color;
        }

        static CapacityKind of(BenchReport.Capacity cap) {
            return cap.saturated() ? MEASURED : cap.estimate() ? ESTIMATED : LOWER_BOUND;
        }
    }

    /**
     * Requests per second of one server CPU per backend (the bench's {@code per_core_requests_per_s}),
     * each bar coloured by how it was obtained, its value written on it.
     */
    static CategoryChart capacity(Result r, int width, int height) {
        BenchReport report = r.report();
        List<String> backends = r.backends();
        double ratio = r.figure("ratio", "per_core_requests_per_s");
        CategoryChart c = new CategoryChartBuilder().width(width).height(height)
                .title(r.bench() + ": requests per second per server CPU"
                        + (Double.isFinite(ratio) ? String.format(Locale.ROOT, " (xdp/udp %.2fx)", ratio) : ""))
                .xAxisTitle("backend").yAxisTitle("requests/s per server CPU").build();
        style(c);
        c.getStyler().setOverlapped(true);
        barLabels(c.getStyler());
        c.getStyler().setYAxisDecimalPattern("#,##0").setYAxisMin(0.0);
        Map<CapacityKind, List<Double>> series = new LinkedHashMap<>();
        for (int i = 0; i < backends.size(); i++) {
            BenchReport.Capacity cap = report.capacity(backends.get(i));
            double v = Double.isFinite(cap.perCoreRequestsPerS()) ? cap.perCoreRequestsPerS() : 0;
            CapacityKind kind = CapacityKind.of(cap);
            // null: no bar (and no label) for this backend in the other kinds' series
            List<Double> values = series.computeIfAbsent(kind, k -> new ArrayList<>(java.util.Collections.nCopies(backends.size(), null)));
            values.set(i, v);
        }
        for (CapacityKind k : CapacityKind.values()) {
            if (series.containsKey(k)) {
                c.addSeries(k.legend, backends, series.get(k)).setFillColor(k.color);
            }
        }
        return c;
    }

    /**
     * Grouped bars per sweep point, one bar per backend: {@code value} of each point, e.g.
     * committed transactions per second or the abort rate in percent.
     */
    static CategoryChart perPoint(Result r, String title, String yTitle, String pattern, ToDoubleFunction<LoadPoint> value,
                                  int width, int height) {
        List<String> shapes = r.points().stream().map(Result::shape).distinct().toList();
        CategoryChart c = new CategoryChartBuilder().width(width).height(height).title(r.bench() + ": " + title)
                .xAxisTitle("client threads x transactions in flight").yAxisTitle(yTitle).build();
        style(c);
        c.getStyler().setYAxisDecimalPattern(pattern).setYAxisMin(0.0);
        for (String b : r.backends()) {
            List<Double> ys = new ArrayList<>();
            for (String s : shapes) {
                double v = r.points().stream().filter(p -> p.backend().equals(b) && Result.shape(p).equals(s))
                        .mapToDouble(value).findFirst().orElse(0);
                ys.add(Double.isFinite(v) ? v : 0);
            }
            c.addSeries(b, shapes, ys).setFillColor(color(b, r.backends()));
        }
        return c;
    }

    /** The ablation table as grouped bars: one group per workload row, one bar per cache policy. */
    static CategoryChart ablation(Result r, String title, String yTitle, String pattern, String field, double scale,
                                  int width, int height) {
        Ablation t = Ablation.of(r);
        CategoryChart c = new CategoryChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("workload").yAxisTitle(yTitle).build();
        style(c);
        barLabels(c.getStyler());
        c.getStyler().setLabelsRotation(90); // nine bars in half the width: upright labels would run into each other
        c.getStyler().setYAxisDecimalPattern(pattern).setYAxisMin(0.0);
        List<String> rows = t.rows().stream().map(Charts::shortRow).toList();
        double max = 0;
        for (int p = 0; p < t.policies().size(); p++) {
            List<Double> ys = new ArrayList<>();
            for (String row : t.rows()) {
                double v = t.value(row, t.policies().get(p), field) * scale;
                ys.add(Double.isFinite(v) ? v : 0);
                max = Math.max(max, Double.isFinite(v) ? v : 0);
            }
            c.addSeries(t.policies().get(p), rows, ys).setFillColor(POLICY_COLORS[p % POLICY_COLORS.length]);
        }
        if (max > 0) {
            c.getStyler().setYAxisMax(max * 1.15); // room above the tallest bar for its upright label
        }
        return c;
    }

    /** "80% GET, 31% of keys exist" -> "80% GET, 31% exist": fits under a group of bars. */
    static String shortRow(String row) {
        return row.replace(" of keys", "").replace(" keys", "");
    }

    /** Each bar's value written above it, in dark grey. */
    private static void barLabels(CategoryStyler s) {
        s.setLabelsVisible(true);
        s.setLabelsFontColorAutomaticEnabled(false);
        s.setLabelsFontColor(Color.DARK_GRAY);
        s.setLabelsPosition(1.0);
        s.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }

    private static void style(Chart<? extends AxesChartStyler, ?> c) {
        AxesChartStyler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.LIGHT_GRAY);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(Color.WHITE);
        s.setChartTitleBoxVisible(false);
        s.setAntiAlias(true);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setPlotGridLinesColor(new Color(0xe0e0e0));
        s.setPlotGridLinesStroke(new BasicStroke(1f));
    }
}
