package io.dint.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a result was measured on: CPU model, CPU count, memory, kernel, JVM. */
final class Machine {
    private Machine() {}

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", firstMatch(Path.of("/proc/cpuinfo"), "model name"));
        m.put("memory", firstMatch(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("kernel", System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        return m;
    }

    private static String firstMatch(Path file, String key) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
