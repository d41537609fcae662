package io.dint.cluster;

import io.dint.cluster.NicTuning.Planned;
import io.dint.cluster.NicTuning.State;
import io.dint.cluster.NicTuning.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each step of {@link NicTuning}: compares what {@link NicSettings} reads with what DINT wants, and
 * holds the change that makes it so, run only when the plan is applied.
 */
final class NicSteps {
    private final String iface;
    private final List<Integer> cpus;
    private final NicSettings now;

    NicSteps(String iface, List<Integer> cpus) {
        this.iface = iface;
        this.cpus = List.copyOf(cpus);
        this.now = new NicSettings(iface);
    }

    /** Plans every step of {@link NicTuning#STEPS} but those in {@code skip}, in order. */
    List<Planned> plan(int mtu, Set<String> skip) {
        List<Integer> irqs = now.irqs();
        boolean virtual = now.isVirtual(irqs);
        List<Planned> plan = new ArrayList<>();
        for (String step : NicTuning.STEPS) {
            if (skip.contains(step)) {
                plan.add(new Planned(new Step(step, "", "", State.SKIPPED, "--skip " + step), null));
                continue;
            }
            try {
                plan.add(switch (step) {
                    case "mtu" -> mtu(mtu);
                    case "coalescing" -> coalescing();
                    case "irqbalance" -> irqbalance();
                    case "rss" -> rss();
                    case "queues" -> queues();
                    case "irq-affinity" -> irqAffinity(irqs);
                    case "gro" -> gro(virtual);
                    case "threaded-napi" -> threadedNapi(virtual);
                    default -> throw new IllegalStateException(step);
                });
            } catch (NicSettings.Unreadable e) {
                plan.add(unreadable(step, e));
            }
        }
        return plan;
    }

    /** {@code driver NAME} of the device. */
    String driver() {
        return now.driver();
    }

    private Planned mtu(int mtu) {
        String is = now.mtu();
        String want = Integer.toString(mtu);
        return planned("mtu", is, want, is.equals(want), "messages are under 200 bytes; native XDP wants a frame within a page",
                () -> IpCommand.ip("link", "set", "dev", iface, "mtu", want));
    }

    private Planned coalescing() {
        Map<String, String> is = now.coalescing();
        Map<String, String> want = new LinkedHashMap<>();
        List<String> cmd = new ArrayList<>(List.of("ethtool", "-C", iface));
        is.forEach((k, v) -> {
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
            return fixed("coalescing", "n/a", State.UNSUPPORTED, iface + " reports no coalescing setting");
        }
        return planned("coalescing", pairs(is), pairs(want), cmd.size() == 3,
                "interrupt at once: a request is not held back to batch interrupts", () -> IpCommand.run(cmd, null));
    }

    private Planned irqbalance() {
        Long pid = NicSettings.running("irqbalance");
        if (pid == null) {
            return fixed("irqbalance", "not running", "not running", State.OK, "");
        }
        return planned("irqbalance", "running (pid " + pid + ")", "stopped", false, "it would move the interrupts placed below", () -> {
            try {
                IpCommand.run(List.of("systemctl", "stop", "irqbalance"), null);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("systemctl stop irqbalance failed (" + e.getMessage() + "): stop pid " + pid + " by hand", e);
            }
        });
    }

    private Planned rss() {
        String is = now.udp4Hash();
        return planned("rss", "udp4 " + is, "udp4 sdfn", is.equals("sdfn"),
                "hash UDP on addresses and ports: a client's source ports spread over the queues",
                () -> IpCommand.run(List.of("ethtool", "-N", iface, "rx-flow-hash", "udp4", "sdfn"), null));
    }

    private Planned queues() {
        NicSettings.Channels ch = now.channels();
        if (ch == null) {
            return fixed("queues", "?", State.UNSUPPORTED, "ethtool -l said nothing about current settings");
        }
        int n = cpus.size();
        String why = "one queue per server CPU";
        if (ch.max().getOrDefault("Combined", 0) > 0) {
            int want = Math.min(n, ch.max().get("Combined"));
            int is = ch.current().getOrDefault("Combined", 0);
            return planned("queues", "combined " + is, "combined " + want, is == want,
                    why + (want < n ? " (the device has at most " + want + ")" : ""),
                    () -> IpCommand.run(List.of("ethtool", "-L", iface, "combined", Integer.toString(want)), null));
        }
        if (ch.max().getOrDefault("RX", 0) > 0 && ch.max().getOrDefault("TX", 0) > 0) {
            int rx = Math.min(n, ch.max().get("RX"));
            int tx = Math.min(n, ch.max().get("TX"));
            String is = "rx " + ch.current().getOrDefault("RX", 0) + " tx " + ch.current().getOrDefault("TX", 0);
            String want = "rx " + rx + " tx " + tx;
            return planned("queues", is, want, is.equals(want), why, () -> IpCommand.run(List.of("ethtool", "-L", iface,
                    "rx", Integer.toString(rx), "tx", Integer.toString(tx)), null));
        }
        return fixed("queues", "fixed", State.UNSUPPORTED, iface + " has no settable queue count");
    }

    private Planned irqAffinity(List<Integer> irqs) {
        if (irqs.isEmpty()) {
            return fixed("irq-affinity", "no IRQs", State.NOT_APPLICABLE,
                    iface + " has no interrupts of its own (a virtual device): see threaded-napi");
        }
        List<String> is = new ArrayList<>();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < irqs.size(); i++) {
            is.add(irqs.get(i) + ":" + NicSettings.read(NicSettings.affinityFile(irqs.get(i))));
            want.add(irqs.get(i) + ":" + cpus.get(i % cpus.size()));
        }
        return planned("irq-affinity", String.join(" ", is), String.join(" ", want), is.equals(want),
                "queue i's interrupt on server CPU i", () -> {
                    for (int i = 0; i < irqs.size(); i++) {
                        Path p = NicSettings.affinityFile(irqs.get(i));
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
            return fixed("gro", "", State.NOT_APPLICABLE, "a NIC receives in NAPI from its interrupts");
        }
        String is = now.gro();
        return planned("gro", is, "on", is.equals("on"), "a veth receives in NAPI only with GRO on",
                () -> IpCommand.run(List.of("ethtool", "-K", iface, "gro", "on"), null));
    }

    private Planned threadedNapi(boolean virtual) {
        Path threaded = now.threadedFile();
        if (!virtual) {
            return fixed("threaded-napi", "", State.NOT_APPLICABLE, "the interrupts' CPUs place the receive work");
        }
        if (!Files.exists(threaded)) {
            return fixed("threaded-napi", "", State.UNSUPPORTED, "this kernel has no " + threaded);
        }
        String is = NicSettings.read(threaded);
        String cpuList = CoreSplit.list(cpus);
        return planned("threaded-napi", is, "1, threads on CPUs " + cpuList, is.equals("1"),
                "the receive poll in kernel threads on the server CPUs" + (is.equals("1") ? " (pinned when turned on)" : ""),
                () -> NapiThreads.threadAndPin(null, iface, cpuList));
    }

    /** A step that compares {@code is} with {@code want}: OK when {@code same}, else a CHANGE made by {@code change}. */
    private static Planned planned(String step, String is, String want, boolean same, String why, Runnable change) {
        return new Planned(new Step(step, is, want, same ? State.OK : State.CHANGE, why), change);
    }

    /** A step with nothing to change: {@code state} says why. */
    private static Planned fixed(String step, String is, State state, String why) {
        return fixed(step, is, "", state, why);
    }

    private static Planned fixed(String step, String is, String want, State state, String why) {
        return new Planned(new Step(step, is, want, state, why), null);
    }

    private Planned unreadable(String step, NicSettings.Unreadable e) {
        if (NicTuning.unsupported(e.getMessage())) {
            return fixed(step, "", State.UNSUPPORTED, iface + " (" + e.what + ": not supported)");
        }
        return fixed(step, "?", State.FAILED, e.getMessage());
    }

    private static String pairs(Map<String, String> m) {
        List<String> l = new ArrayList<>();
        m.forEach((k, v) -> l.add(k + " " + v));
        return String.join(", ", l);
    }
}
