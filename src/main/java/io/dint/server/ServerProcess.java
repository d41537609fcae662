package io.dint.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The starting side of {@link ServerControl}: a server child process and its control lines. */
public final class ServerProcess implements ServerHandle {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Deque<String> tail = new ArrayDeque<>();
    private final Map<String, Object> ready;

    /** Wraps a started server process and waits for its READY line. */
    public ServerProcess(Process process, Duration startTimeout) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.ready = awaitReply("READY", startTimeout);
    }

    @Override
    public Map<String, Object> ready() {
        return ready;
    }

    @Override
    public Map<String, Object> stats() {
        return request("stats", "STATS");
    }

    @Override
    public Map<String, Object> check() {
        return request("check", "CHECK");
    }

    /** Has the server write its records and its log's to the two files ({@link RecordDumps}). */
    public Map<String, Object> dumpRecords(java.nio.file.Path records, java.nio.file.Path log) {
        return request("records " + records + " " + log, "RECORDS");
    }

    /** The server's heap after a full collection: {@code heap_used_bytes}, {@code heap_committed_bytes}. */
    public Map<String, Object> heapAfterGc() {
        return request("heap", "HEAP");
    }

    /** The server process. */
    public Process process() {
        return process;
    }

    private Map<String, Object> request(String command, String answer) {
        try {
            in.write(command + "\n");
            in.flush();
        } catch (IOException e) {
            throw new IllegalStateException("server process is gone: " + describe(), e);
        }
        return awaitReply(answer, Duration.ofSeconds(120));
    }

    private Map<String, Object> awaitReply(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String line = out.readLine();
                if (line == null) {
                    waitQuietly();
                    throw new IllegalStateException("server process exited before answering " + prefix + ": " + describe());
                }
                remember(line);
                if (line.startsWith(prefix + " ")) {
                    return JSON.readValue(line.substring(prefix.length() + 1), MAP);
                }
                if (line.startsWith("ERROR ")) {
                    throw new IllegalStateException("server answered: " + line.substring(6));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("server process did not answer " + prefix + " within " + timeout + ": " + describe());
    }

    private void remember(String line) {
        if (tail.size() == 20) {
            tail.removeFirst();
        }
        tail.addLast(line);
    }

    private void waitQuietly() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String describe() {
        String exit = process.isAlive() ? "running" : "exit code " + process.exitValue();
        return exit + ", last output: " + String.join(" | ", tail);
    }

    @Override
    public void close() {
        try {
            in.write("quit\n");
            in.flush();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
