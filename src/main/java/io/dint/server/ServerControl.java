package io.dint.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a serving process is controlled. On stdin/stdout, with whoever started it: it prints
 * {@code READY {json}} once serving, then answers {@code stats} with {@code STATS {json}} and
 * {@code check} with {@code CHECK {json}}, {@code records RECORDS LOG} with {@code RECORDS {json}}
 * (the records written out, {@link RecordDumps}), {@code heap} with {@code HEAP {json}} (the heap
 * after a full collection); {@code quit} stops it. Over HTTP, when it has a
 * {@link ControlEndpoint}: the same answers to anyone who can reach the endpoint. Without an
 * endpoint the end of stdin stops the server too; with one, it serves until {@code quit} or a
 * signal (SIGTERM, SIGINT), so that it can run detached from a terminal. Either way the server is
 * closed on the way out (a commit log drained and synced, programs detached).
 *
 * <p>Both front ends call the server through one instance, which runs one request at a time.
 */
public final class ServerControl {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CLOSE_GRACE_SECONDS = 30;

    private final ServiceServer server;
    private final Map<String, Object> ready;

    private ServerControl(ServiceServer server, Map<String, Object> ready) {
        this.server = server;
        this.ready = Map.copyOf(ready);
    }

    /** What the server reported when it became ready. */
    public Map<String, Object> ready() {
        return ready;
    }

    /** {@link ServiceServer#stats()}, one request at a time. */
    public synchronized Map<String, Object> stats() {
        return server.stats();
    }

    /** {@link ServiceServer#check()}, one request at a time. */
    public synchronized Map<String, Object> check() {
        return server.check();
    }

    /** {@link ServiceServer#stats()} and {@link ServiceServer#perCpuStats()} read together. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(server.stats(), server.perCpuStats());
    }

    /** Counters read in one go, for one scrape. */
    public record Snapshot(Map<String, Object> stats, Map<String, long[]> perCpu) {}

    /** {@code records RECORDS LOG}: the server's records and its log's, key by key ({@link RecordDumps}). */
    private synchronized String records(String[] words) throws IOException {
        if (words.length != 3) {
            return "ERROR records needs two paths: records RECORDS_FILE LOG_FILE";
        }
        if (!(server instanceof RecordDumps d)) {
            return "ERROR this service keeps no transaction records";
        }
        try {
            return "RECORDS " + JSON.writeValueAsString(d.dumpRecords(java.nio.file.Path.of(words[1]), java.nio.file.Path.of(words[2])));
        } catch (RuntimeException e) {
            return "ERROR " + e;
        }
    }

    /**
     * The heap after a full collection: what the process keeps alive, which must not grow over a
     * long run (a leak), whatever garbage it makes meanwhile.
     */
    public static Map<String, Object> heapAfterGc() {
        System.gc();
        java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return Map.of("heap_used_bytes", heap.getUsed(), "heap_committed_bytes", heap.getCommitted());
    }

    /** Serves control requests on stdin/stdout until quit or end of input, then closes the server. */
    public static void run(ServiceServer server, Map<String, Object> ready) throws IOException {
        run(server, ready, null);
    }

    /**
     * Serves control requests on stdin/stdout and, when {@code endpoint} is not null, over HTTP
     * (the endpoint is taken over and closed here) until told to stop, then closes the server.
     */
    public static void run(ServiceServer server, Map<String, Object> ready, ControlEndpoint endpoint) throws IOException {
        ServerControl control = new ServerControl(server, ready);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // On SIGTERM the JVM runs its hooks while this thread goes on: stop it, and wait until it has closed the server.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dint-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintStream out = System.out;
        try (server) {
            if (endpoint != null) {
                endpoint.serve(control);
            }
            out.println("READY " + JSON.writeValueAsString(control.ready));
            out.flush();
            Thread.ofPlatform().daemon().name("dint-serve-stdin").start(() -> readCommands(control, out, stop, endpoint == null));
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (endpoint != null) {
                endpoint.close(); // nothing asks a closing server anything
            }
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running
            }
        }
    }

    private static void readCommands(ServerControl control, PrintStream out, CountDownLatch stop, boolean stopAtEnd) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split("\\s+");
                switch (words[0]) {
                    case "stats" -> out.println("STATS " + JSON.writeValueAsString(control.stats()));
                    case "check" -> out.println("CHECK " + JSON.writeValueAsString(control.check()));
                    case "records" -> out.println(control.records(words));
                    case "heap" -> out.println("HEAP " + JSON.writeValueAsString(heapAfterGc()));
                    case "quit" -> {
                        stop.countDown();
                        return;
                    }
                    case "" -> { }
                    default -> out.println("ERROR unknown control command '" + line.trim() + "': use stats, check, records, heap or quit");
                }
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // a server that cannot answer its starter stops, and the starter sees it exit
            out.println("ERROR " + e);
            out.flush();
            stop.countDown();
            return;
        }
        if (stopAtEnd) {
            stop.countDown();
        }
    }
}
