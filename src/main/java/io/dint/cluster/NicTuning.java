package io.dint.cluster;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
 *
 * <p>{@link NicSettings} reads what is, {@link NicSteps} plans each step and holds its change; this
 * class runs the plan and reports it.
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

    /** A step with the change that makes it so (null when there is nothing to change). */
    record Planned(Step step, Runnable action) {}

    private final String iface;
    private final List<Integer> cpus;
    private final NicSteps steps;
    private final List<Planned> plan;

    private NicTuning(String iface, List<Integer> cpus, int mtu, Set<String> skip) {
        this.iface = iface;
        this.cpus = List.copyOf(cpus);
        this.steps = new NicSteps(iface, cpus);
        this.plan = steps.plan(mtu, skip);
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
        Path sysfs = NicSettings.sysfs(iface);
        if (!Files.isDirectory(sysfs)) {
            throw new IllegalArgumentException("no interface '" + iface + "' here (" + sysfs + " does not exist): see ip link");
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("--mtu must be 68..65535, got " + mtu);
        }
        List<Integer> cpus = CoreSplit.cpus(serverCpus, "--server-cpus");
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("--server-cpus names no CPU: '" + serverCpus + "'");
        }
        return new NicTuning(iface, cpus, mtu, skip);
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
        return "tune " + iface + " (" + steps.driver() + "), server CPUs " + CoreSplit.list(cpus);
    }

    /** Whether a failure says the device has no such setting, rather than that something went wrong. */
    static boolean unsupported(String why) {
        String w = why.toLowerCase(Locale.ROOT);
        return w.contains("not supported") || w.contains("operation not permitted on this device") || w.contains("no such device");
    }
}
