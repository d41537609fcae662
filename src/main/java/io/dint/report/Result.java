package io.dint.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dint.bench.BenchReport;
import io.dint.bench.LoadPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One benchmark result read back from the JSON that {@link BenchReport#write} wrote: what was run
 * (bench, time, machine, scale), every sweep point, the printed figures, details and failures.
 * The sweep points are put back into a {@link BenchReport}, so a report derives each backend's
 * capacity exactly as the bench did.
 */
public record Result(Path file, String bench, String time, Map<String, Object> machine, Map<String, Object> scale,
                     List<LoadPoint> points, Map<String, Double> figures, JsonNode details, List<String> failures) {

    /** What kind of benchmark a result is: it decides which figures and tables it gets. */
    public enum Kind {
        /** A service microbenchmark (lock2pl, occ, log, kv-*): requests per second and per server CPU. */
        SERVICE,
        /** Smallbank or TATP: committed transactions, aborts, server CPU per transaction. */
        TRANSACTIONS,
        /** The KV cache ablation: a table of policies against workloads, no sweep. */
        ABLATION
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Reads a result file; a file that is not one is an error naming it. */
    public static Result read(Path file) {
        JsonNode doc;
        try {
            doc = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not JSON (" + e.getOriginalMessage() + "): give result files of ./dint bench");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (doc == null || !doc.isObject() || !doc.path("bench").isTextual() || !doc.path("points").isArray()) {
            throw new IllegalArgumentException(file + " is not a result of ./dint bench (it has no \"bench\" and \"points\")");
        }
        List<LoadPoint> points = new ArrayList<>();
        for (JsonNode p : doc.get("points")) {
            try {
                points.add(JSON.treeToValue(p, LoadPoint.class));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": a sweep point cannot be read (" + e.getMessage() + ")");
            }
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        doc.path("figures").properties().forEach(e -> figures.put(e.getKey(), number(e.getValue())));
        List<String> failures = new ArrayList<>();
        doc.path("failures").forEach(f -> failures.add(f.asText()));
        return new Result(file, doc.get("bench").asText(), doc.path("time").asText(""), map(doc.path("machine")),
                map(doc.path("scale")), List.copyOf(points), Collections.unmodifiableMap(figures), doc.path("details"),
                List.copyOf(failures));
    }

    /**
     * The newest result of each benchmark in {@code dir} (by the time each records), in the order
     * {@code ./dint bench} runs them; JSON files that are not results are left out.
     */
    public static List<Path> newestPerBench(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no results directory " + dir + ": run ./dint bench first, or name result files");
        }
        Map<String, Result> newest = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                Result r;
                try {
                    r = read(f);
                } catch (IllegalArgumentException e) {
                    continue; // another JSON file in the directory
                }
                newest.merge(r.bench(), r, (a, b) -> a.time().compareTo(b.time()) >= 0 ? a : b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return newest.values().stream().sorted(Comparator.comparingInt(r -> order(r.bench()))).map(Result::file).toList();
    }

    private static final List<String> ORDER = List.of("lock2pl", "occ", "log", "kv-parallel", "kv-contention", "kv-ablation",
            "smallbank", "tatp");

    private static int order(String bench) {
        int i = ORDER.indexOf(bench);
        return i < 0 ? ORDER.size() : i;
    }

    /** The kind of benchmark: an ablation table, transactions (a per-transaction figure), or a service. */
    public Kind kind() {
        if (details.has("table")) {
            return Kind.ABLATION;
        }
        boolean txn = figures.keySet().stream().anyMatch(k -> k.endsWith(".server_core_us_per_txn"));
        return txn ? Kind.TRANSACTIONS : Kind.SERVICE;
    }

    /** The sweep points as the bench held them, for its derived figures (capacity, best, unloaded). */
    public BenchReport report() {
        BenchReport r = new BenchReport(bench);
        points.forEach(r::add);
        return r;
    }

    /** Backends in the order they ran. */
    public List<String> backends() {
        return points.stream().map(LoadPoint::backend).distinct().toList();
    }

    /** A printed figure {@code <bench>.<backend>.<name>}, NaN when the result has none. */
    public double figure(String backend, String name) {
        return figures.getOrDefault(bench + "." + backend + "." + name, Double.NaN);
    }

    /** {@code 1x32}: a point's client shape as the sweep option writes it. */
    public static String shape(LoadPoint p) {
        return p.clientThreads() + "x" + p.inflightPerThread();
    }

    private static double number(JsonNode n) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(n.asText());
        } catch (NumberFormatException e) {
            return Double.NaN; // "nan"
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(JsonNode n) {
        return n.isObject() ? JSON.convertValue(n, LinkedHashMap.class) : Map.of();
    }
}
