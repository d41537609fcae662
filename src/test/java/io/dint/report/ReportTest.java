package io.dint.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report rendered from fixture results (one of each kind, as {@code ./dint bench} wrote them:
 * lock2pl and kv-parallel, the KV ablation, TATP): every figure decodes as a PNG of the size the
 * report promises, and report.md names every figure and every benchmark, with the tables' marks.
 */
class ReportTest {
    private static final List<String> BENCHES = List.of("lock2pl", "kv-parallel", "kv-ablation", "tatp");
    private static final List<String> FIGURES = List.of("lock2pl-latency", "lock2pl-capacity", "kv-parallel-latency",
            "kv-parallel-capacity", "kv-ablation-table", "tatp-latency", "tatp-transactions");

    @TempDir
    Path dir;

    private List<Path> fixtures() throws IOException {
        Path results = Files.createDirectories(dir.resolve("results"));
        List<Path> files = new ArrayList<>();
        for (String b : BENCHES) {
            try (InputStream in = ReportTest.class.getResourceAsStream("/report/" + b + ".json")) {
                assertThat(in).as("fixture %s", b).isNotNull();
                Path f = results.resolve(b + "-20261201-000000.json");
                Files.copy(in, f);
                files.add(f);
            }
        }
        return files;
    }

    @Test
    void everyFigureIsAPngOfTheExpectedSize() throws IOException {
        Report.Rendered r = Report.render(fixtures(), dir.resolve("results"));
        assertThat(r.figures()).extracting(p -> p.getFileName().toString())
                .containsExactlyElementsOf(FIGURES.stream().map(f -> f + ".png").toList());
        for (Path f : r.figures()) {
            byte[] bytes = Files.readAllBytes(f);
            assertThat(bytes).as("%s starts with the PNG signature", f).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
            BufferedImage image = ImageIO.read(f.toFile());
            assertThat(image).as("%s decodes", f).isNotNull();
            assertThat(image.getWidth()).as("%s width", f).isEqualTo(Report.WIDTH);
            assertThat(image.getHeight()).as("%s height", f).isEqualTo(Report.HEIGHT);
            assertThat(distinctColours(image)).as("%s is drawn, not blank", f).isGreaterThan(8);
        }
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }

    @Test
    void theReportNamesEveryFigureAndEveryBenchmark() throws IOException {
        Report.Rendered r = Report.render(fixtures(), dir.resolve("results"));
        assertThat(r.markdown()).isEqualTo(dir.resolve("results/report.md"));
        String md = Files.readString(r.markdown());
        for (String f : FIGURES) {
            assertThat(md).as("report.md shows %s", f).contains("](figures/" + f + ".png)");
        }
        for (String b : BENCHES) {
            assertThat(md).as("report.md has a section for %s", b).contains("\n## " + b + "\n")
                    .contains("Result `results/" + b + "-20261201-000000.json`");
        }
        assertThat(md).contains("- Machine: 2 CPUs (AMD EPYC)").contains("- Core split: server CPUs 1, client CPUs and wire 0")
                .contains("lock_ids = 1000000");
        // per-core capacity: estimated from busy time (~) for xdp, a lower bound for the busy-polling afxdp
        assertThat(md).contains("| lock2pl | xdp | ~257,628 | 3.88 |").contains("| lock2pl | afxdp | ≥45,968 |");
        assertThat(md).contains("| tatp | xdp | 1,850 | 0.38% | 288 |");
        assertThat(md).contains("| 80% GET, 31% of keys exist | 130,402 (65.3%) |").contains("| 80% GET, 31% of keys exist | 0.4 | 0.5 | 25.0 |");
        assertThat(md).contains("Checks FAILED:").contains("- write-back / 80% GET, 31% of keys exist: 6903 protocol errors");
    }

    @Test
    void aSaturatedServerIsMeasuredNotEstimated() throws IOException {
        List<Path> files = fixtures();
        Path lock = files.getFirst();
        // the xdp backend's 1x32 point with its server CPUs the wall and its client's not
        String json = Files.readString(lock);
        int at = json.indexOf("\"inflightPerThread\": 32");
        String before = json.substring(0, at), after = json.substring(at);
        after = after.replaceFirst("\"clientCoreBusyShare\": [0-9.]+", "\"clientCoreBusyShare\": 0.5")
                .replaceFirst("\"serverCoreBusyShare\": [0-9.]+", "\"serverCoreBusyShare\": 0.99");
        Files.writeString(lock, before + after);
        Report.render(List.of(lock), dir.resolve("out"));
        assertThat(Files.readString(dir.resolve("out/report.md"))).contains("| lock2pl | xdp | 257,628 | 3.88 |");
    }

    @Test
    void theBestTransactionPointIsALoadedOneAsTheBenchTakesIt() throws IOException {
        Path tatp = fixtures().getLast();
        // the xdp backend's unloaded first point made the fastest: the report's best stays the 1x32
        // point, where the bench took its server µs/txn, in the summary and in the section
        String json = Files.readString(tatp).replaceFirst("\"txnPerS\": 77.93292149787543", "\"txnPerS\": 99999.0");
        Files.writeString(tatp, json);
        Report.render(List.of(tatp), dir.resolve("out"));
        String md = Files.readString(dir.resolve("out/report.md"));
        assertThat(md).contains("| tatp | xdp | 1,850 | 0.38% | 288 |").contains("| xdp | 1,850 (1x32) |").doesNotContain("99,999");
    }

    @Test
    void newestOfEachBenchmarkIsChosenAndOtherJsonIgnored() throws IOException {
        List<Path> files = fixtures();
        Path results = dir.resolve("results");
        Path older = results.resolve("lock2pl-20200101-000000.json");
        Files.writeString(older, Files.readString(files.getFirst()).replaceFirst("\"time\": \"[^\"]*\"", "\"time\": \"2020-01-01T00:00:00Z\""));
        Files.writeString(results.resolve("notes.json"), "{\"not\": \"a result\"}");
        assertThat(Report.newest(results)).containsExactlyElementsOf(files);
    }

    @Test
    void aFileThatIsNotAResultIsNamed() throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.json"), "{\"not\": \"a result\"}");
        assertThatThrownBy(() -> Report.render(List.of(notes), dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(notes.toString()).hasMessageContaining("not a result of ./dint bench");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"bench\": ");
        assertThatThrownBy(() -> Report.render(List.of(broken), dir)).hasMessageContaining(broken + " is not JSON");
        assertThatThrownBy(() -> Report.render(List.of(), dir)).hasMessageContaining("no results to report");
        assertThatThrownBy(() -> Report.newest(dir.resolve("none"))).hasMessageContaining("no results directory");
    }

    @Test
    void aRunThatEndedBeforeItsFirstPointGetsASectionAndNoFigure() throws IOException {
        Path lock = fixtures().getFirst();
        String json = Files.readString(lock);
        Files.writeString(lock, json.substring(0, json.indexOf("\"points\"")) + "\"points\": [], \"checks\": {}, \"failures\": [],"
                + " \"details\": {}, \"figures\": {}}");
        Report.Rendered r = Report.render(List.of(lock), dir.resolve("out"));
        assertThat(r.figures()).isEmpty();
        assertThat(Files.readString(r.markdown())).contains("## lock2pl").contains("No sweep point was measured");
    }

    @Test
    void figuresOfAnEarlierReportAreRemoved() throws IOException {
        Path stale = Files.createDirectories(dir.resolve("results/figures")).resolve("occ-latency.png");
        Files.write(stale, new byte[] {1});
        Report.render(fixtures().subList(0, 1), dir.resolve("results"));
        assertThat(stale).doesNotExist();
        assertThat(dir.resolve("results/figures/lock2pl-latency.png")).exists();
    }
}
