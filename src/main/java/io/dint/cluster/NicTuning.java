package io.dint.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the original's setup scripts did by hand to a server's NIC, as a plan: each step reads
 * what is, says what will be, and changes it only when applied. A step the device does not
 * support is reported as such and the others go on.
 *
 * <ul>
 *   <li>{@code mtu} — DINT's messages are under 200 bytes; native XDP on most drivers wants a
 *       frame within a page, so the default is 1500</li>
 *   <li>{@code coalescing} — interrupt coalescing off (adaptive off, 0 µs): a request is not held
 *       back to batch interrupts</li>
 *   <li>{@code irqbalance} — stopped: it would move the interrupts placed below</li>
 *   <li>{@code rss} — UDP over IPv4 hashed on the 4-tuple ({@code ethtool -N rx-flow-hash udp4
 *       sdfn}), so that a client's many source ports spread over the queues</li>
 *   <li>{@code queues} — one queue per server CPU</li>
 *   <li>{@code irq-affinity} — queue i's interrupt on server CPU i (round robin)</li>
 *   <li>{@code gro} and {@code threaded-napi} — for a device without interrupts of its own (a
 *       veth): it receives in NAPI only with GRO on, and threaded NAPI moves that poll into
 *       kernel threads pinned to the server CPUs; a NIC's interrupts place that work already</li>
 * </ul>
 */
public final class NicTuning {
    /** Every step's name, in the order they run. */
    public static final List<String> STEPS = List.of("mtu", "coalescing", "irqbalance", "rss", "queues", "irq-affinity", "gro",
            "threaded-napi");

    /** Where a step stands. */
    public enum State {
        /** Already as planned. */
        OK("ok"),
        /** Will be changed when applied. */
        CHANGE("change"),
        /** The device (or the machine) has no such setting. */
        UNSUPPORTED("not supported"),
        /** Does not apply to this device. */
        NOT_APPLICABLE("n/a"),
        /** Left out with --skip. */
        SKIPPED("skipped"),
        /** Changed. */
        APPLIED("applied"),
        /** The change failed for a reason other than support. */
        FAILED("FAILED");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One step of the plan: what is, what will be, where it stands and why. */
    public record Step(String name, String now, String planned, State state, String note) {
        Step with(State s, String why) {
            return new Step(name, now, planned, s, why);
        }
    }

    private record Planned(Step step, Runnable action) {}

    private final String iface;
    private final List<Integer> cpus;
    private final List<Planned> plan = new ArrayList<>();

    private NicTuning(String iface, List<Integer> cpus) {
        this.iface = iface;
        this.cpus = List.copyOf(cpus);
    }

    /**
     * Reads the device's settings and plans each step for server CPUs {@code serverCpus} and MTU
     * {@code mtu}; steps named in {@code skip} are left out.
     */
    public static NicTuning plan(String iface, String serverCpus, int mtu, Set<String> skip) {
        for (String s : skip) {
            if (!STEPS.contains(s)) {
                throw new IllegalArgumentException("no step '" + s + "' to skip: the steps are " + String.join(", ", STEPS));
            }
        }
        if (!Files.isDirectory(sysfs(iface))) {
            throw new IllegalArgumentException("no interface '" + iface + "' here (" + sysfs(iface) + " does not exist): see ip link");
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("--mtu must be 68..65535, got " + mtu);
        }
        List<Integer> cpus = CoreSplit.cpus(serverCpus, "--server-cpus");
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("--server-cpus names no CPU: '" + serverCpus + "'");
        }
        NicTuning t = new NicTuning(iface, cpus);
        List<Integer> irqs = t.irqs();
        boolean virtual = irqs.isEmpty() && !Files.exists(sysfs(iface).resolve("device"));
        for (String step : STEPS) {
            Planned p = skip.contains(step) ? new Planned(new Step(step, "", "", State.SKIPPED, "--skip " + step), null)
                    : switch (step) {
                        case "mtu" -> t.mtu(mtu);
                        case "coalescing" -> t.coalescing();
                        case "irqbalance" -> t.irqbalance();
                        case "rss" -> t.rss();
                        case "queues" -> t.queues();
                        case "irq-affinity" -> t.irqAffinity(irqs);
                        case "gro" -> t.gro(virtual);
                        case "threaded-napi" -> t.threadedNapi(virtual);
                        default -> throw new IllegalStateException(step);
                    };
            t.plan.add(p);
        }
        return t;
    }

    /** The steps as planned. */
    public List<Step> steps() {
        return plan.stream().map(Planned::step).toList();
    }

    /** Makes every planned change, in order; returns each step with what came of it. */
    public List<Step> apply() {
        List<Step> done = new ArrayList<>();
        for (Planned p : plan) {
            Step s = p.step();
            if (s.state() != State.CHANGE) {
                done.add(s);
                continue;
            }
            try {
                p.action().run();
                done.add(s.with(State.APPLIED, s.note()));
            } catch (RuntimeException e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                done.add(s.with(unsupported(why) ? State.UNSUPPORTED : State.FAILED, why));
            }
        }
        return done;
    }

    /** Prints steps as a table: step, now, planned, state and why. */
    public static void print(String title, List<Step> steps, PrintStream out) {
        out.println(title);
        out.printf(Locale.ROOT, "  %-14s %-34s %-34s %s%n", "step", "now", "planned", "");
        for (Step s : steps) {
            out.printf(Locale.ROOT, "  %-14s %-34s %-34s %s%s%n", s.name(), s.now(), s.planned(), s.state().label(),
                    s.note().isEmpty() ? "" : ": " + s.note());
        }
    }

    /** The header line of a plan for this device. */
    public String describe() {
        return "tune " + iface + " (" + driver() + "), server CPUs " + CoreSplit.list(cpus);
    }

    private Planned mtu(int mtu) {
        String now = read(sysfs(iface).resolve("mtu"));
        Step s = new Step("mtu", now, Integer.toString(mtu), now.equals(Integer.toString(mtu)) ? State.OK : State.CHANGE,
                "messages are under 200 bytes; native XDP wants a frame within a page");
        return new Planned(s, () -> IpCommand.ip("link", "set", "dev", iface, "mtu", Integer.toString(mtu)));
    }

    private Planned coalescing() {
        String out;
        try {
            out = IpCommand.run(List.of("ethtool", "-c", iface), null);
        } catch (IllegalStateException e) {
            return unsupportedOrFailed("coalescing", "ethtool -c", e);
        }
        Map<String, String> now = new LinkedHashMap<>();
        Matcher adaptive = Pattern.compile("(?m)^Adaptive RX:\\s*(\\S+)\\s+TX:\\s*(\\S+)").matcher(out);
        if (adaptive.find()) {
            now.put("adaptive-rx", adaptive.group(1));
            now.put("adaptive-tx", adaptive.group(2));
        }
        for (String k : List.of("rx-usecs", "tx-usecs")) {
            Matcher m = Pattern.compile("(?m)^" + k + ":\\s*(\\S+)").matcher(out);
            if (m.find()) {
                now.put(k, m.group(1));
            }
        }
        Map<String, String> want = new LinkedHashMap<>();
        List<String> cmd = new ArrayList<>(List.of("ethtool", "-C", iface));
        now.forEach((k, v) -> {
            if (v.equals("n/a")) {
                return;
            }
            String target = k.startsWith("adaptive") ? "off" : "0";
            want.put(k, target);
            if (!v.equals(target)) {
                cmd.addAll(List.of(k, target));
            }
        });
        if (want.isEmpty()) {
            return new Planned(new Step("coalescing", "n/a", "", State.UNSUPPORTED, iface + " reports no coalescing setting"), null);
        }
        Step s = new Step("coalescing", pairs(now), pairs(want), cmd.size() > 3 ? State.CHANGE : State.OK,
                "interrupt at once: a request is not held back to batch interrupts");
        return new Planned(s, () -> IpCommand.run(cmd, null));
    }

    private Planned irqbalance() {
        Long pid = processNamed("irqbalance");
        if (pid == null) {
            return new Planned(new Step("irqbalance", "not running", "not running", State.OK, ""), null);
        }
        Step s = new Step("irqbalance", "running (pid " + pid + ")", "stopped", State.CHANGE,
                "it would move the interrupts placed below");
        return new Planned(s, () -> {
            try {
                IpCommand.run(List.of("systemctl", "stop", "irqbalance"), null);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("systemctl stop irqbalance failed (" + e.getMessage() + "): stop pid " + pid + " by hand", e);
            }
        });
    }

    private Planned rss() {
        String out;
        try {
            out = IpCommand.run(List.of("ethtool", "-n", iface, "rx-flow-hash", "udp4"), null);
        } catch (IllegalStateException e) {
            return unsupportedOrFailed("rss", "ethtool -n rx-flow-hash udp4", e);
        }
        StringBuilder fields = new StringBuilder();
        if (out.contains("IP SA")) {
            fields.append('s');
        }
        if (out.contains("IP DA")) {
            fields.append('d');
        }
        if (out.contains("L4 bytes 0 & 1")) {
            fields.append('f');
        }
        if (out.contains("L4 bytes 2 & 3")) {
            fields.append('n');
        }
        String now = fields.isEmpty() ? "none" : fields.toString();
        Step s = new Step("rss", "udp4 " + now, "udp4 sdfn", now.equals("sdfn") ? State.OK : State.CHANGE,
                "hash UDP on addresses and ports: a client's source ports spread over the queues");
        return new Planned(s, () -> IpCommand.run(List.of("ethtool", "-N", iface, "rx-flow-hash", "udp4", "sdfn"), null));
    }

    private Planned queues() {
        String out;
        try {
            out = IpCommand.run(List.of("ethtool", "-l", iface), null);
        } catch (IllegalStateException e) {
            return unsupportedOrFailed("queues", "ethtool -l", e);
        }
        int split = out.indexOf("Current hardware settings");
        if (split < 0) {
            return new Planned(new Step("queues", "?", "", State.UNSUPPORTED, "ethtool -l said nothing about current settings"), null);
        }
        Map<String, Integer> max = channels(out.substring(0, split));
        Map<String, Integer> cur = channels(out.substring(split));
        int n = cpus.size();
        String why = "one queue per server CPU";
        if (max.getOrDefault("Combined", 0) > 0) {
            int want = Math.min(n, max.get("Combined"));
            int now = cur.getOrDefault("Combined", 0);
            Step s = new Step("queues", "combined " + now, "combined " + want, now == want ? State.OK : State.CHANGE,
                    why + (want < n ? " (the device has at most " + want + ")" : ""));
            return new Planned(s, () -> IpCommand.run(List.of("ethtool", "-L", iface, "combined", Integer.toString(want)), null));
        }
        if (max.getOrDefault("RX", 0) > 0 && max.getOrDefault("TX", 0) > 0) {
            int rx = Math.min(n, max.get("RX"));
            int tx = Math.min(n, max.get("TX"));
            String now = "rx " + cur.getOrDefault("RX", 0) + " tx " + cur.getOrDefault("TX", 0);
            String want = "rx " + rx + " tx " + tx;
            Step s = new Step("queues", now, want, now.equals(want) ? State.OK : State.CHANGE, why);
            return new Planned(s, () -> IpCommand.run(List.of("ethtool", "-L", iface, "rx", Integer.toString(rx), "tx",
                    Integer.toString(tx)), null));
        }
        return new Planned(new Step("queues", "fixed", "", State.UNSUPPORTED, iface + " has no settable queue count"), null);
    }

    private static Map<String, Integer> channels(String section) {
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

    private Planned irqAffinity(List<Integer> irqs) {
        if (irqs.isEmpty()) {
            return new Planned(new Step("irq-affinity", "no IRQs", "", State.NOT_APPLICABLE,
                    iface + " has no interrupts of its own (a virtual device): see threaded-napi"), null);
        }
        List<String> now = new ArrayList<>();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < irqs.size(); i++) {
            now.add(irqs.get(i) + ":" + read(Path.of("/proc/irq", Integer.toString(irqs.get(i)), "smp_affinity_list")));
            want.add(irqs.get(i) + ":" + cpus.get(i % cpus.size()));
        }
        Step s = new Step("irq-affinity", String.join(" ", now), String.join(" ", want), now.equals(want) ? State.OK : State.CHANGE,
                "queue i's interrupt on server CPU i");
        return new Planned(s, () -> {
            for (int i = 0; i < irqs.size(); i++) {
                Path p = Path.of("/proc/irq", Integer.toString(irqs.get(i)), "smp_affinity_list");
                try {
                    Files.writeString(p, cpus.get(i % cpus.size()) + "\n");
                } catch (IOException e) {
                    throw new IllegalStateException("cannot write " + p + ": " + e.getMessage(), e);
                }
            }
        });
    }

    private Planned gro(boolean virtual) {
        if (!virtual) {
            return new Planned(new Step("gro", "", "", State.NOT_APPLICABLE, "a NIC receives in NAPI from its interrupts"), null);
        }
        String out;
        try {
            out = IpCommand.run(List.of("ethtool", "-k", iface), null);
        } catch (IllegalStateException e) {
            return unsupportedOrFailed("gro", "ethtool -k", e);
        }
        Matcher m = Pattern.compile("(?m)^generic-receive-offload:\\s*(\\S+)").matcher(out);
        String now = m.find() ? m.group(1) : "?";
        Step s = new Step("gro", now, "on", now.equals("on") ? State.OK : State.CHANGE, "a veth receives in NAPI only with GRO on");
        return new Planned(s, () -> IpCommand.run(List.of("ethtool", "-K", iface, "gro", "on"), null));
    }

    private Planned threadedNapi(boolean virtual) {
        Path threaded = sysfs(iface).resolve("threaded");
        if (!virtual) {
            return new Planned(new Step("threaded-napi", "", "", State.NOT_APPLICABLE, "the interrupts' CPUs place the receive work"), null);
        }
        if (!Files.exists(threaded)) {
            return new Planned(new Step("threaded-napi", "", "", State.UNSUPPORTED, "this kernel has no " + threaded), null);
        }
        String now = read(threaded);
        String cpuList = CoreSplit.list(cpus);
        Step s = new Step("threaded-napi", now, "1, threads on CPUs " + cpuList, now.equals("1") ? State.OK : State.CHANGE,
                "the receive poll in kernel threads on the server CPUs" + (now.equals("1") ? " (pinned when turned on)" : ""));
        return new Planned(s, () -> NapiThreads.threadAndPin(null, iface, cpuList));
    }

    private Planned unsupportedOrFailed(String step, String what, IllegalStateException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        if (unsupported(why)) {
            return new Planned(new Step(step, "", "", State.UNSUPPORTED, iface + " (" + what + ": not supported)"), null);
        }
        return new Planned(new Step(step, "?", "", State.FAILED, why), null);
    }

    private static boolean unsupported(String why) {
        String w = why.toLowerCase(Locale.ROOT);
        return w.contains("not supported") || w.contains("operation not permitted on this device") || w.contains("no such device");
    }

    /** The device's interrupts: its MSI vectors, else lines of /proc/interrupts that name it. */
    private List<Integer> irqs() {
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
            try {
                for (String line : Files.readAllLines(Path.of("/proc/interrupts"))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 1 && f[0].endsWith(":") && f[0].substring(0, f[0].length() - 1).matches("\\d+")
                            && Pattern.compile("(^|[^A-Za-z0-9])" + Pattern.quote(iface) + "([^A-Za-z0-9]|$)").matcher(f[f.length - 1]).find()) {
                        out.add(Integer.parseInt(f[0].substring(0, f[0].length() - 1)));
                    }
                }
            } catch (IOException e) {
                // no /proc/interrupts: no IRQs to place
            }
        }
        return out;
    }

    private String driver() {
        try {
            Matcher m = Pattern.compile("(?m)^driver:\\s*(\\S+)").matcher(IpCommand.run(List.of("ethtool", "-i", iface), null));
            return m.find() ? "driver " + m.group(1) : "driver unknown";
        } catch (IllegalStateException e) {
            return "driver unknown";
        }
    }

    private static Long processNamed(String name) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String pid = p.getFileName().toString();
                if (pid.chars().allMatch(Character::isDigit)) {
                    try {
                        if (Files.readString(p.resolve("comm")).trim().equals(name)) {
                            return Long.parseLong(pid);
                        }
                    } catch (IOException e) {
                        // gone meanwhile
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static String pairs(Map<String, String> m) {
        List<String> l = new ArrayList<>();
        m.forEach((k, v) -> l.add(k + " " + v));
        return String.join(", ", l);
    }

    private static Path sysfs(String iface) {
        return Path.of("/sys/class/net", iface);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
