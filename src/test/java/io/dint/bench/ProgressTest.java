package io.dint.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The progress display on a terminal (a status line cleared around every output line) and
 * elsewhere (plain lines only, no carriage return or escape code), on a clock the test moves.
 */
class ProgressTest {
    private static final long S = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1000 * S);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Progress progress(boolean terminal) {
        return new Progress(List.of(new Progress.Stage("lock2pl", 4), new Progress.Stage("tatp", 2)), 5, out, err, terminal, now::get);
    }

    private String text() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainLinesWhenNotOnATerminal() {
        Progress p = progress(false);
        PrintStream o = p.out();
        p.bench("lock2pl");
        o.println("== lock2pl");
        Progress.point(o, "xdp", "1x1");
        o.println("  xdp 1x1: 100 req/s");
        now.addAndGet(10 * S);
        Progress.point(o, "xdp", "1x32");
        o.println("  xdp 1x32: 900 req/s");
        now.addAndGet(10 * S);
        Progress.point(o, "udp", "1x1");
        p.close();
        String t = text();
        assertThat(t).doesNotContain("\r").doesNotContain("\033");
        // one line where each backend starts, none for the second xdp point
        assertThat(t.lines().filter(l -> l.startsWith("-- ")).toList()).containsExactly(
                "-- lock2pl xdp 1x1: point 1 of 4; run 1 of 6, about 30s left",
                "-- lock2pl udp 1x1: point 3 of 4; run 3 of 6, about 40s left");
        assertThat(t).contains("== lock2pl\n").contains("  xdp 1x1: 100 req/s\n").contains("  xdp 1x32: 900 req/s\n");
    }

    @Test
    void statusLineOnATerminalNeverMixesWithOutput() {
        Progress p = progress(true);
        p.bench("lock2pl");
        Progress.point(p.out(), "xdp", "1x1");
        p.out().println("a result line");
        p.close();
        String t = text();
        assertThat(t).contains("[lock2pl xdp 1x1: point 1 of 4; run 1 of 6, about 30s left]");
        // the status is cleared before the line and drawn again after it; the display ends cleared
        assertThat(t).contains("left]\r\033[Ka result line\n\r\033[K[lock2pl xdp 1x1").endsWith("left]\r\033[K");
    }

    @Test
    void standardErrorClearsTheStatusToo() {
        Progress p = progress(true);
        p.bench("lock2pl");
        Progress.point(p.out(), "xdp", "1x1");
        int before = text().length();
        p.err().println("a warning");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("a warning\n");
        assertThat(text().substring(before)).startsWith("\r\033[K").contains("[lock2pl xdp 1x1");
        p.close();
    }

    @Test
    void timeLeftFollowsThePaceOfFinishedPoints() {
        Progress p = progress(false);
        assertThat(p.status()).isEqualTo("starting; 6 points, about 30s left");
        p.bench("lock2pl");
        Progress.point(p.out(), "xdp", "1x1");
        now.addAndGet(3 * S); // the first point is under way: the guess, less what it has run
        assertThat(Progress.duration(p.nanosLeft())).isEqualTo("27s");
        now.addAndGet(17 * S);
        Progress.point(p.out(), "xdp", "1x32"); // one point took 20 s: five to go at that pace
        assertThat(Progress.duration(p.nanosLeft())).isEqualTo("1m40s");
        assertThat(Progress.duration(3725 * 1e9)).isEqualTo("1h02m");
        now.addAndGet(200 * S); // past the estimate
        assertThat(p.status()).endsWith("run 2 of 6, finishing, 3m40s in");
    }

    @Test
    void aPointOnAnotherStreamDoesNothing() {
        Progress p = progress(false);
        p.bench("lock2pl");
        Progress.point(new PrintStream(new ByteArrayOutputStream()), "xdp", "1x1");
        assertThat(p.status()).startsWith("lock2pl: point 1 of 4; run 1 of 6");
        assertThat(text()).isEmpty();
    }

    @Test
    void aBenchmarkOutOfPlanIsAnError() {
        Progress p = progress(false);
        assertThatThrownBy(() -> p.bench("tatp")).hasMessageContaining("tatp is not the next of the plan");
    }
}
