package io.dint.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How a parent hears from a child process: the child prints a line that starts with an agreed word
 * ({@code READY ...}) on its stdout, and the parent waits for it. When the line does not come, the
 * error quotes the last lines of the child's stdout and of its stderr log, where the reason is.
 */
final class ReadyLine {
    private static final int STDOUT_LINES = 20;
    private static final int STDERR_LINES = 30;
    /** Where each child's stderr goes, for the error; weak, so a process forgotten is dropped. */
    private static final Map<Process, Path> LOGS = Collections.synchronizedMap(new WeakHashMap<>());

    private ReadyLine() {}

    /** Records that {@code p}'s stderr goes to {@code log}, so that errors about it can quote it. */
    static void stderrGoesTo(Process p, Path log) {
        LOGS.put(p, log);
    }

    /**
     * Reads {@code p}'s stdout up to and including the first line that starts with {@code prefix} and
     * returns that line. Throws, quoting the last lines of stdout and of the stderr log, when the process
     * exits first or {@code timeout} passes. Reads byte by byte, so nothing after the line is consumed;
     * after a timeout a reader is still waiting on the stream, so do not read it further.
     */
    static String await(Process p, String prefix, Duration timeout) {
        Deque<String> tail = new ArrayDeque<>();
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread.ofVirtual().name("dint-await-" + p.pid()).start(() -> read(p.getInputStream(), prefix, found, tail));
        String why;
        try {
            String line = found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line != null) {
                return line;
            }
            boolean exited = p.waitFor(2, TimeUnit.SECONDS);
            why = exited ? "exited with status " + p.exitValue() : "closed its stdout";
        } catch (TimeoutException e) {
            found.complete(null);
            why = "did not print it within " + timeout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "was still starting when we were interrupted";
        } catch (ExecutionException e) {
            why = "could not be read: " + e.getCause();
        }
        String stdout;
        synchronized (tail) {
            stdout = String.join("\n", tail);
        }
        throw new IllegalStateException("process " + p.pid() + " " + p.info().commandLine().orElse("")
                + "\n" + why + " before a line starting with '" + prefix + "'"
                + "\n--- last stdout lines ---\n" + stdout + "\n--- stderr " + stderrTail(p));
    }

    /** Completes {@code found} with the line, or null at the end of the stream; keeps the last lines in {@code tail}. */
    private static void read(InputStream in, String prefix, CompletableFuture<String> found, Deque<String> tail) {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (!found.isDone()) {
                int b = in.read();
                if (b >= 0 && b != '\n') {
                    line.write(b);
                    continue;
                }
                if (b < 0 && line.size() == 0) {
                    found.complete(null);
                    return;
                }
                String s = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (s.startsWith(prefix)) {
                    found.complete(s);
                    return;
                }
                synchronized (tail) {
                    if (tail.size() == STDOUT_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(s);
                }
            }
        } catch (IOException e) {
            found.complete(null); // stream closed: treat like an exit
        }
    }

    private static String stderrTail(Process p) {
        Path log = LOGS.get(p);
        if (log == null) {
            return "(not captured) ---";
        }
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return log + " ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - STDERR_LINES), lines.size()));
        } catch (IOException e) {
            return log + " (unreadable: " + e.getMessage() + ") ---";
        }
    }
}
