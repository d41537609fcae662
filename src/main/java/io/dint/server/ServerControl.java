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
 * {@code check} with {@code CHECK {json}}; {@code quit} or end of input stops it.
 */
public final class ServerControl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerControl() {}

    /** Serves control requests until quit or end of input, then closes the server. */
    public static void run(ServiceServer server, Map<String, Object> ready) throws IOException {
        PrintStream out = System.out;
        try (server) {
            out.println("READY " + JSON.writeValueAsString(ready));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                switch (line.trim()) {
                    case "stats" -> out.println("STATS " + JSON.writeValueAsString(server.stats()));
                    case "check" -> out.println("CHECK " + JSON.writeValueAsString(server.check()));
                    case "quit" -> {
                        return;
                    }
                    case "" -> { }
                    default -> out.println("ERROR unknown control command '" + line.trim() + "': use stats, check or quit");
                }
                out.flush();
            }
        }
    }
}
