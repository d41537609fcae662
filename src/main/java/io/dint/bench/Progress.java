package io.dint.bench;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Where a long {@code ./dint bench} run stands, for a person at a terminal: the benchmark, the
 * backend, the point of the benchmark and of the whole run, and an estimate of the time left. On
 * a terminal it is a status line under the output, redrawn every second and cleared around every
 * line printed; elsewhere (a pipe, a CI log) it is a plain line when a backend starts, with no
 * carriage returns or escape codes.
 *
 * <p>Benchmarks print to the stream of {@link #out()}, and say where they are with {@link
 * #point(PrintStream, String, String)} on the stream they were given; on any other stream that
 * call does nothing, so a benchmark runs the same without a progress display.
 */
public final class Progress implements AutoCloseable {
    /** One benchmark of the run and how many load points it measures. */
    public record Stage(String bench, int points) {}

    private final List<Stage> plan;
    private final int total;
    private final double guessNanosPerPoint;
    private final boolean terminal;
    private final LongSupplier clock;
    private final OutputStream sink;
    private final Object lock = new Object();
    private final LineGate outGate;
    private final LineGate errGate;
    private final PrintStream out;
    private final PrintStream err;
    private final long startNanos;
    private PrintStream savedOut;
    private PrintStream savedErr;
    private Thread redraw;

    private int stage = -1;
    private int stagePoint;
    private int started;
    private long pointStartNanos;
    private String backend = "";
    private String what = "";
    private boolean shown;

    /**
     * A progress display over {@code sink} (and {@code errSink} for standard error), a status line
     * when {@code terminal}, plain lines otherwise.
     *
     * @param guessSecondsPerPoint the time a point takes before one has been measured
     * @param clock                nanoseconds, e.g. {@code System::nanoTime}
     */
    public Progress(List<Stage> plan, double guessSecondsPerPoint, OutputStream sink, OutputStream errSink, boolean terminal,
                    LongSupplier clock) {
        this.plan = List.copyOf(plan);
        this.total = plan.stream().mapToInt(Stage::points).sum();
        this.guessNanosPerPoint = guessSecondsPerPoint * 1e9;
        this.terminal = terminal;
        this.clock = clock;
        this.sink = sink;
        this.outGate = new LineGate(sink);
        this.errGate = new LineGate(errSink);
        this.out = new ProgressStream(outGate);
        this.err = new ProgressStream(errGate);
        this.startNanos = clock.getAsLong();
    }

    /**
     * Shows the run's progress on this process's standard output and error until {@link #close()}:
     * {@code System.out} and {@code System.err} are replaced by the display's streams. A status
     * line only when the console is a terminal (and {@code TERM} is not {@code dumb}).
     */
    public static Progress start(List<Stage> plan, double guessSecondsPerPoint) {
        Progress p = new Progress(plan, guessSecondsPerPoint, new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err), isTerminal(), System::nanoTime);
        System.out.flush();
        System.err.flush();
        p.savedOut = System.out;
        p.savedErr = System.err;
        System.setOut(p.out);
        System.setErr(p.err);
        if (p.terminal) {
            p.redraw = Thread.ofPlatform().daemon().name("dint-progress").start(p::redrawEverySecond);
        }
        return p;
    }

    /** True when a person watches: standard input and output are a terminal that can move the cursor. */
    public static boolean isTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal() && !"dumb".equals(System.getenv("TERM"));
    }

    /** The stream benchmarks print to. */
    public PrintStream out() {
        return out;
    }

    /** The stream that stands in for standard error. */
    PrintStream err() {
        return err;
    }

    /** The next benchmark of the plan begins. */
    public void bench(String name) {
        synchronized (lock) {
            stage = Math.min(stage + 1, plan.size() - 1);
            if (stage < 0 || !plan.get(stage).bench().equals(name)) {
                throw new IllegalStateException("benchmark " + name + " is not the next of the plan " + plan);
            }
            stagePoint = 0;
            backend = "";
            what = "";
            draw();
        }
    }

    /**
     * A benchmark says that its next load point begins: {@code backend} (or the cache policy of the
     * ablation), {@code what} (the client shape or the workload). Does nothing unless {@code out} is
     * a progress display's stream.
     */
    public static void point(PrintStream out, String backend, String what) {
        if (out instanceof ProgressStream s) {
            s.progress().point(backend, what);
        }
    }

    void point(String backend, String what) {
        synchronized (lock) {
            boolean newBackend = !backend.equals(this.backend);
            this.backend = backend;
            this.what = what;
            stagePoint++;
            started++;
            pointStartNanos = clock.getAsLong();
            if (terminal) {
                draw();
            } else if (newBackend) {
                // a plain line where the backend changes: a log says where the run is without a line per point
                write(("-- " + status() + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** The status as one line, e.g. {@code lock2pl xdp 1x32: point 2 of 12; run 2 of 40, about 3m10s left}. */
    public String status() {
        synchronized (lock) {
            if (stage < 0) {
                return "starting; " + total + " points, about " + duration(guessNanosPerPoint * total) + " left";
            }
            Stage s = plan.get(stage);
            StringBuilder b = new StringBuilder(s.bench());
            if (!backend.isEmpty()) {
                b.append(' ').append(backend).append(' ').append(what);
            }
            b.append(": point ").append(Math.max(stagePoint, 1)).append(" of ").append(s.points())
                    .append("; run ").append(Math.max(started, 1)).append(" of ").append(total);
            double left = nanosLeft();
            // past the estimate (checks, teardown, a slow server start): say so rather than "0s left"
            b.append(left >= 1e9 ? ", about " + duration(left) + " left"
                    : ", finishing, " + duration(clock.getAsLong() - startNanos) + " in");
            return b.toString();
        }
    }

    /**
     * The points not yet finished at the pace of those finished so far (server starts and
     * population loading included), or at the guessed pace before one has finished, less what the
     * current point has already run.
     */
    double nanosLeft() {
        long now = clock.getAsLong();
        if (started == 0) {
            return Math.max(guessNanosPerPoint * total - (now - startNanos), 0);
        }
        int done = started - 1;
        double perPoint = done == 0 ? guessNanosPerPoint : (double) (pointStartNanos - startNanos) / done;
        return Math.max(perPoint * (total - done) - (now - pointStartNanos), 0);
    }

    static String duration(double nanos) {
        long s = Math.round(nanos / 1e9);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    private void redrawEverySecond() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1000);
                synchronized (lock) {
                    draw();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final byte[] CLEAR = "\r\033[K".getBytes(StandardCharsets.US_ASCII);

    /** Draws the status line (terminal only); the caller holds the lock. */
    private void draw() {
        if (!terminal) {
            return;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(CLEAR);
        b.writeBytes(("[" + status() + "]").getBytes(StandardCharsets.UTF_8));
        write(b.toByteArray());
        shown = true;
    }

    private void write(byte[] bytes) {
        try {
            sink.write(bytes);
            sink.flush();
        } catch (java.io.IOException e) {
            // a closed terminal: the run goes on without its display
        }
    }

    /** Clears the status line, restores standard output and error. */
    @Override
    public void close() {
        if (redraw != null) {
            redraw.interrupt();
            try {
                redraw.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            outGate.emit();
            errGate.emit();
            if (shown) {
                write(CLEAR);
                shown = false;
            }
            if (savedOut != null) {
                System.setOut(savedOut);
                System.setErr(savedErr);
            }
        }
    }

    /** The display's stream: benchmarks find their progress through it. */
    private final class ProgressStream extends PrintStream {
        ProgressStream(OutputStream gate) {
            super(gate, true, StandardCharsets.UTF_8);
        }

        Progress progress() {
            return Progress.this;
        }
    }

    /**
     * Passes whole lines to its stream: on a terminal the status line is cleared before each and
     * drawn again after it, so output and status never mix.
     */
    private final class LineGate extends OutputStream {
        private final OutputStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineGate(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (lock) {
                for (int i = off; i < off + len; i++) {
                    line.write(b[i]);
                    if (b[i] == '\n') {
                        emit();
                    }
                }
            }
        }

        /** Writes the buffered text; the caller holds the lock. */
        private void emit() {
            if (line.size() == 0) {
                return;
            }
            try {
                if (shown) {
                    sink.write(CLEAR);
                    sink.flush();
                    shown = false;
                }
                line.writeTo(target);
                target.flush();
            } catch (java.io.IOException e) {
                // as in write(byte[]): output to a closed stream is dropped
            }
            line.reset();
            draw();
        }

        @Override
        public void flush() {
            // whole lines only: a partial line waits for its newline (or close)
        }

    }
}
