package io.dint.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The line protocol a server process speaks on stdin/stdout with whoever started it: it prints
 * {@code READY {json}} once serving, then answers {@code stats} with {@code STATS {json}} and
 * {@code check} with {@code CHECK {json}}, {@code records RECORDS LOG} with {@code RECORDS {json}} (the
 * records written out, {@link RecordDumps}), {@code heap} with {@code HEAP {json}} (the heap after a
 * full collection); {@code quit} or end of input stops it.
 */
public final class ServerControl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerControl() {}

    /** {@code records RECORDS LOG}: the server's records and its log's, key by key ({@link RecordDumps}). */
    private static String records(ServiceServer server, String[] words) throws IOException {
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

    /** Serves control requests until quit or end of input, then closes the server. */
    public static void run(ServiceServer server, Map<String, Object> ready) throws IOException {
        PrintStream out = System.out;
        try (server) {
            out.println("READY " + JSON.writeValueAsString(ready));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split("\\s+");
                switch (words[0]) {
                    case "stats" -> out.println("STATS " + JSON.writeValueAsString(server.stats()));
                    case "check" -> out.println("CHECK " + JSON.writeValueAsString(server.check()));
                    case "records" -> out.println(records(server, words));
                    case "heap" -> out.println("HEAP " + JSON.writeValueAsString(heapAfterGc()));
                    case "quit" -> {
                        return;
                    }
                    case "" -> { }
                    default -> out.println("ERROR unknown control command '" + line.trim() + "': use stats, check, records, heap or quit");
                }
                out.flush();
            }
        }
    }
}
