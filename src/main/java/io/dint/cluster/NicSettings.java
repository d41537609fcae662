package io.dint.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a network device's settings are now, as sysfs, {@code /proc} and ethtool's reports say;
 * nothing here changes anything. A setting ethtool cannot report throws {@link Unreadable}, which
 * says which query failed.
 */
final class NicSettings {
    private final String iface;

    NicSettings(String iface) {
        this.iface = iface;
    }

    /** An ethtool query that failed: {@link #what} it was, the cause with ethtool's message. */
    static final class Unreadable extends IllegalStateException {
        final String what;

        Unreadable(String what, IllegalStateException cause) {
            super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
            this.what = what;
        }
    }

    /** The device's MTU, {@code ?} when unreadable. */
    String mtu() {
        return read(sysfs(iface).resolve("mtu"));
    }

    /** {@code adaptive-rx}, {@code adaptive-tx}, {@code rx-usecs}, {@code tx-usecs} as {@code ethtool -c} reports them (some may be n/a). */
    Map<String, String> coalescing() {
        return coalescing(ethtool("ethtool -c", "-c", iface));
    }

    /** The interrupt coalescing settings of an {@code ethtool -c} report. */
    static Map<String, String> coalescing(String report) {
        Map<String, String> now = new LinkedHashMap<>();
        Matcher adaptive = Pattern.compile("(?m)^Adaptive RX:\\s*(\\S+)\\s+TX:\\s*(\\S+)").matcher(report);
        if (adaptive.find()) {
            now.put("adaptive-rx", adaptive.group(1));
            now.put("adaptive-tx", adaptive.group(2));
        }
        for (String k : List.of("rx-usecs", "tx-usecs")) {
            String v = field(report, k);
            if (v != null) {
                now.put(k, v);
            }
        }
        return now;
    }

    /** The fields UDP over IPv4 is hashed on, in ethtool's letters ({@code sdfn}), or {@code none}. */
    String udp4Hash() {
        return udp4Hash(ethtool("ethtool -n rx-flow-hash udp4", "-n", iface, "rx-flow-hash", "udp4"));
    }

    /** The hashed fields of an {@code ethtool -n DEV rx-flow-hash udp4} report, in the letters {@code ethtool -N} takes. */
    static String udp4Hash(String report) {
        StringBuilder fields = new StringBuilder();
        if (report.contains("IP SA")) {
            fields.append('s');
        }
        if (report.contains("IP DA")) {
            fields.append('d');
        }
        if (report.contains("L4 bytes 0 & 1")) {
            fields.append('f');
        }
        if (report.contains("L4 bytes 2 & 3")) {
            fields.append('n');
        }
        return fields.isEmpty() ? "none" : fields.toString();
    }

    /**
     * The queue counts ({@code RX}, {@code TX}, {@code Other}, {@code Combined}) as {@code ethtool -l}
     * reports them, at most and now; null when it says nothing about the current ones.
     */
    Channels channels() {
        return channels(ethtool("ethtool -l", "-l", iface));
    }

    /** The queue counts of an {@code ethtool -l} report; null when it has no current settings. */
    static Channels channels(String report) {
        int split = report.indexOf("Current hardware settings");
        return split < 0 ? null : new Channels(counts(report.substring(0, split)), counts(report.substring(split)));
    }

    /** Queue counts by kind, at most and now. */
    record Channels(Map<String, Integer> max, Map<String, Integer> current) {}

    private static Map<String, Integer> counts(String section) {
        Map<String, Integer> m = new LinkedHashMap<>();
        Matcher x = Pattern.compile("(?m)^(RX|TX|Other|Combined):\\s*(\\S+)").matcher(section);
        while (x.find()) {
            try {
                m.put(x.group(1), Integer.parseInt(x.group(2)));
            } catch (NumberFormatException e) {
                // n/a
            }
        }
        return m;
    }

    /** Whether generic receive offload is on, as {@code ethtool -k} says ({@code on}, {@code off}, {@code ?}). */
    String gro() {
        String v = field(ethtool("ethtool -k", "-k", iface), "generic-receive-offload");
        return v == null ? "?" : v;
    }

    /** The device's {@code threaded} file in sysfs (threaded NAPI), which older kernels do not have. */
    Path threadedFile() {
        return sysfs(iface).resolve("threaded");
    }

    /** The device's interrupts: its MSI vectors, else lines of /proc/interrupts that name it. */
    List<Integer> irqs() {
        List<Integer> out = new ArrayList<>();
        Path msi = sysfs(iface).resolve("device/msi_irqs");
        if (Files.isDirectory(msi)) {
            try (Stream<Path> s = Files.list(msi)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).map(Integer::parseInt).sorted().forEach(out::add);
            } catch (IOException e) {
                // fall back to /proc/interrupts
            }
        }
        if (out.isEmpty()) {
            Pattern names = Pattern.compile("(^|[^A-Za-z0-9])" + Pattern.quote(iface) + "([^A-Za-z0-9]|$)");
            try {
                for (String line : Files.readAllLines(Path.of("/proc/interrupts"))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 1 && f[0].endsWith(":") && f[0].substring(0, f[0].length() - 1).matches("\\d+")
                            && names.matcher(f[f.length - 1]).find()) {
                        out.add(Integer.parseInt(f[0].substring(0, f[0].length() - 1)));
                    }
                }
            } catch (IOException e) {
                // no /proc/interrupts: no IRQs to place
            }
        }
        return out;
    }

    /** Where an interrupt may run: its {@code smp_affinity_list}. */
    static Path affinityFile(int irq) {
        return Path.of("/proc/irq", Integer.toString(irq), "smp_affinity_list");
    }

    /** A device without interrupts of its own and without a bus device behind it: a veth, a bridge. */
    boolean isVirtual(List<Integer> irqs) {
        return irqs.isEmpty() && !Files.exists(sysfs(iface).resolve("device"));
    }

    /** {@code driver NAME} as {@code ethtool -i} says, or {@code driver unknown}. */
    String driver() {
        try {
            String v = field(ethtool("ethtool -i", "-i", iface), "driver");
            return v == null ? "driver unknown" : "driver " + v;
        } catch (Unreadable e) {
            return "driver unknown";
        }
    }

    /** The lowest pid of a process named {@code name}, or null when none runs. */
    static Long running(String name) {
        try {
            return ProcessNames.pids(name::equals).stream().findFirst().orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String ethtool(String what, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ethtool"));
        cmd.addAll(List.of(args));
        try {
            return IpCommand.run(cmd, null);
        } catch (IllegalStateException e) {
            throw new Unreadable(what, e);
        }
    }

    /** The value of a {@code key: value} line of an ethtool report, or null. */
    private static String field(String report, String key) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + ":\\s*(\\S+)").matcher(report);
        return m.find() ? m.group(1) : null;
    }

    static Path sysfs(String iface) {
        return Path.of("/sys/class/net", iface);
    }

    /** A one-line file's content, {@code ?} when it cannot be read. */
    static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
