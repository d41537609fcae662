package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bench.BenchReport;
import io.dint.bench.TxnBench;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction bench's verdict as {@code ./dint bench} reports it: per backend the figures
 * {@code protocol_errors} and {@code check_failures}, every failure printed, and exit code 2 when
 * any check failed or a reply broke the commit protocol.
 */
class BenchCommandTest {
    @TempDir
    Path results;

    private String finish(BenchReport report, boolean expectFailed) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean failed = BenchCommand.finish(report, results, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(failed).isEqualTo(expectFailed);
        try (var files = Files.list(results)) {
            assertThat(files.map(p -> p.getFileName().toString())).anySatisfy(f -> assertThat(f).startsWith(report.bench() + "-"));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aPassingRunPrintsZeroAndZeroAndExitsZero() throws Exception {
        BenchReport report = new BenchReport("smallbank");
        for (String backend : List.of("xdp", "afxdp", "udp")) {
            TxnBench.outcome(report, backend, 0, List.of(), List.of());
        }
        String out = finish(report, false);
        for (String backend : List.of("xdp", "afxdp", "udp")) {
            assertThat(out).contains("smallbank." + backend + ".protocol_errors = 0\n")
                    .contains("smallbank." + backend + ".check_failures = 0\n");
        }
        assertThat(out).doesNotContain("CHECK FAILED");
    }

    @Test
    void aFailingCheckOrAProtocolErrorExitsTwo() throws Exception {
        BenchReport report = new BenchReport("tatp");
        TxnBench.outcome(report, "xdp", 0, List.of(), List.of("server 1: 3 records still locked at quiescence"));
        TxnBench.outcome(report, "udp", 1, List.of("protocol violation in phase PRIMARY: ... answered REFUSED"), List.of());
        String out = finish(report, true);
        assertThat(out).contains("tatp.xdp.protocol_errors = 0\n").contains("tatp.xdp.check_failures = 1\n")
                .contains("tatp.udp.protocol_errors = 1\n").contains("tatp.udp.check_failures = 0\n")
                .contains("CHECK FAILED: xdp: server 1: 3 records still locked at quiescence")
                .contains("CHECK FAILED: udp: protocol violation in phase PRIMARY");
        assertThat(BenchCommand.CHECK_FAILED).as("the exit code of a failed run").isEqualTo(2);

        BenchReport counted = new BenchReport("tatp");
        TxnBench.outcome(counted, "afxdp", 2, List.of(), List.of());
        assertThat(finish(counted, true)).as("errors counted without a description still fail")
                .contains("CHECK FAILED: afxdp: 2 replies the commit protocol does not allow");
    }
}
