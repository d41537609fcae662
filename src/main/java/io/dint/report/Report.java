package io.dint.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * {@code ./dint report} and the end of {@code ./dint bench}: PNG figures of benchmark results in
 * {@code <out>/figures/} and {@code <out>/report.md} with the summary tables, each result's
 * machine, scale and core split, and the figures. Rendered headless (no display needed).
 */
public final class Report {
    static {
        // Charts are drawn into images with Java2D; never look for a display, even over ssh -X.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Width of every figure in pixels. */
    public static final int WIDTH = 1200;
    /** Height of every figure in pixels. */
    public static final int HEIGHT = 600;
    /** The report's file name in the output directory. */
    public static final String MARKDOWN = "report.md";
    /** The figures' directory in the output directory; its PNG files are rewritten by every report. */
    public static final String FIGURES = "figures";

    private Report() {}

    /** A PNG figure: its path relative to the report, its title, and the result it shows. */
    public record Figure(String file, String title, Result result) {}

    /** What a report wrote: the markdown file and the figures, in the order the report shows them. */
    public record Rendered(Path markdown, List<Path> figures) {}

    /**
     * Renders the figures of every result and writes the report into {@code out}. PNG files left
     * in {@code out/figures} by an earlier report are removed first, so the directory holds what
     * the report names.
     */
    public static Rendered render(List<Path> resultFiles, Path out) throws IOException {
        if (resultFiles.isEmpty()) {
            throw new IllegalArgumentException("no results to report: run ./dint bench first, or name result files");
        }
        List<Result> results = resultFiles.stream().map(Result::read).toList();
        Path dir = out.resolve(FIGURES);
        Files.createDirectories(dir);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path f : old.filter(p -> p.getFileName().toString().endsWith(".png")).toList()) {
                Files.delete(f);
            }
        }
        Map<Result, List<Figure>> figures = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        List<Path> written = new ArrayList<>();
        for (Result r : results) {
            String stem = unique(r.bench(), used);
            List<Figure> mine = new ArrayList<>();
            for (Panels p : panels(r)) {
                String file = FIGURES + "/" + stem + "-" + p.name() + ".png";
                Path path = out.resolve(file);
                writePng(p.charts(), path);
                written.add(path);
                mine.add(new Figure(file, p.title(), r));
            }
            figures.put(r, mine);
        }
        Path markdown = out.resolve(MARKDOWN);
        Files.writeString(markdown, ReportMarkdown.render(figures, out));
        return new Rendered(markdown, List.copyOf(written));
    }

    /** A figure before rendering: its file-name suffix, its title, and its panels side by side. */
    private record Panels(String name, String title, List<? extends Chart<?, ?>> charts) {}

    private static List<Panels> panels(Result r) {
        List<Panels> out = new ArrayList<>();
        if (r.kind() != Result.Kind.ABLATION && r.points().isEmpty()) {
            return out; // a run that ended before its first point: its section says so, nothing to draw
        }
        switch (r.kind()) {
            case SERVICE -> {
                var latency = Charts.latency(r, WIDTH, HEIGHT);
                if (latency != null) {
                    out.add(new Panels("latency", r.bench() + ": request latency (p50, p99) against requests per second, one line per backend",
                            List.of(latency)));
                }
                out.add(new Panels("capacity", r.bench() + ": requests per second per server CPU, per backend",
                        List.of(Charts.capacity(r, WIDTH, HEIGHT))));
            }
            case TRANSACTIONS -> {
                var latency = Charts.latency(r, WIDTH, HEIGHT);
                if (latency != null) {
                    out.add(new Panels("latency", r.bench()
                            + ": transaction latency (p50, p99) against committed transactions per second, one line per backend",
                            List.of(latency)));
                }
                int w = WIDTH / 2;
                out.add(new Panels("transactions", r.bench() + ": committed transactions per second and abort rate per sweep point",
                        List.of(Charts.perPoint(r, "committed transactions/s", "transactions/s", "#,##0", p -> p.txnPerS(), w, HEIGHT),
                                Charts.perPoint(r, "abort rate", "aborted / (committed + aborted), %", "0.#",
                                        p -> 100 * p.abortRate(), w, HEIGHT))));
            }
            case ABLATION -> {
                int w = WIDTH / 2;
                out.add(new Panels("table", "KV cache ablation (the paper's Table 1): requests per second and slow-path share"
                        + " per workload and cache policy",
                        List.of(Charts.ablation(r, "KV ablation: requests/s (xdp)", "requests/s", "#,##0", "requestsPerS", 1, w, HEIGHT),
                                Charts.ablation(r, "KV ablation: share of requests on the slow path", "% of requests", "0.#",
                                        "slowPathShare", 100, w, HEIGHT))));
            }
        }
        return out;
    }

    private static String unique(String stem, Set<String> used) {
        String s = stem;
        for (int i = 2; !used.add(s); i++) {
            s = stem + "-" + i;
        }
        return s;
    }

    /** Paints the panels side by side into one {@link #WIDTH} x {@link #HEIGHT} PNG. */
    static void writePng(List<? extends Chart<?, ?>> panels, Path file) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int w = WIDTH / panels.size();
            for (int i = 0; i < panels.size(); i++) {
                Graphics2D panel = (Graphics2D) g.create(i * w, 0, w, HEIGHT);
                try {
                    panels.get(i).paint(panel, w, HEIGHT);
                } finally {
                    panel.dispose();
                }
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IllegalStateException("this JVM has no PNG writer (javax.imageio): cannot write " + file);
        }
    }

    /** The newest result of each benchmark in {@code dir}; see {@link Result#newestPerBench}. */
    public static List<Path> newest(Path dir) {
        return Result.newestPerBench(dir);
    }
}
