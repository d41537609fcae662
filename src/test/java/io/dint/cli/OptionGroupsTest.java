package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line as option groups: {@code serve} keeps every option and default it had, an
 * option several commands take is declared once, and a default that differs by command is the
 * one {@link CommandDefaults} gives that command.
 */
class OptionGroupsTest {
    /**
     * Options that several commands name alike but that are not the same option: each command's
     * is its own, for the reason given.
     */
    private static final Map<String, String> ALIKE_BUT_NOT_THE_SAME = Map.of(
            "--iface", "tune plans the NIC given (required); serve attaches to one (eth0 by default)",
            "--server-cpus", "tune gives these CPUs queues and interrupts; bench runs its server hosts on them",
            "--log", "replay reads the file given (required); serve writes to one (a temporary file by default)");

    /** {@code dint serve}'s options and defaults as they were before its options were grouped (null: none). */
    private static Map<String, String> serveOptions() {
        Map<String, String> m = new HashMap<>();
        for (String none : List.of("--service", "--cluster", "--host", "--control", "--cpus", "--log", "--peers", "--pin")) {
            m.put(none, null);
        }
        for (String flag : List.of("--recover", "--help", "--version")) {
            m.put(flag, "false");
        }
        m.putAll(Map.ofEntries(Map.entry("--backend", "xdp"), Map.entry("--iface", "eth0"), Map.entry("--allow", ""),
                Map.entry("--bind", "0.0.0.0"), Map.entry("--threads", "2"), Map.entry("--lock-ids", "1000000"),
                Map.entry("--keys", "1000000"), Map.entry("--ring", "default"), Map.entry("--ring-slots", "65536"),
                Map.entry("--fsync-ms", "10"), Map.entry("--fsync-records", "4096"), Map.entry("--drain-idle-us", "100"),
                Map.entry("--subscribers", "100000"), Map.entry("--accounts", "100000"), Map.entry("--population", "all"),
                Map.entry("--cache", "write-back-bloom"), Map.entry("--cache-ratio", "1.5"), Map.entry("--lease-ms", "20"),
                Map.entry("--lock-lease-ms", "1000"), Map.entry("--grace-ms", "1000"), Map.entry("--seed", "42"),
                Map.entry("--drop-slow-replies", "0")));
        return m;
    }

    private static Map<String, String> defaults(CommandLine cli) {
        Map<String, String> m = new TreeMap<>();
        for (OptionSpec o : cli.getCommandSpec().options()) {
            String value = o.defaultValueString();
            m.put(o.longestName(), "null".equals(value) ? null : value);
        }
        return m;
    }

    @Test
    void serveKeepsEveryOptionAndDefault() {
        Map<String, String> now = defaults(Main.commandLine().getSubcommands().get("serve"));
        assertThat(now).isEqualTo(new TreeMap<>(serveOptions()));
        assertThat(now).as("31 options and --help, --version").hasSize(33);
    }

    @Test
    void anOptionSeveralCommandsTakeIsDeclaredOnce() {
        Map<String, Set<Class<?>>> declaredIn = new LinkedHashMap<>();
        Map<String, Set<String>> takenBy = new LinkedHashMap<>();
        for (Map.Entry<String, CommandLine> c : Main.commandLine().getSubcommands().entrySet()) {
            for (OptionSpec o : c.getValue().getCommandSpec().options()) {
                if (o.userObject() instanceof Field f) {
                    declaredIn.computeIfAbsent(o.longestName(), k -> new HashSet<>()).add(f.getDeclaringClass());
                }
                takenBy.computeIfAbsent(o.longestName(), k -> new HashSet<>()).add(c.getKey());
            }
        }
        assertThat(takenBy.get("--accounts")).as("the sizes are shared").contains("serve", "bench", "chaos", "cluster");
        declaredIn.forEach((name, classes) -> {
            if (!ALIKE_BUT_NOT_THE_SAME.containsKey(name)) {
                assertThat(classes).as("%s (taken by %s) is declared in one class", name, takenBy.get(name)).hasSize(1);
            }
        });
        ALIKE_BUT_NOT_THE_SAME.forEach((name, why) -> assertThat(declaredIn.get(name)).as("%s: %s", name, why).hasSize(2));
    }

    /** The sizes and the window each command runs with when none is given. */
    @Test
    void aDefaultThatDiffersByCommandIsThatCommands() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs();
        assertThat(List.of(serve.data.size.accounts, serve.data.size.subscribers)).containsExactly(100_000L, 100_000L);
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs();
        assertThat(List.of(bench.size.accounts, bench.size.subscribers)).containsExactly(20_000L, 5_000L);
        assertThat(bench.measurement.window).isEqualTo(3);
        ChaosCommand chaos = new ChaosCommand();
        new CommandLine(chaos).parseArgs();
        assertThat(List.of(chaos.size.accounts, chaos.size.subscribers)).containsExactly(10_000L, 5_000L);
        assertThat(chaos.measurement.window).isEqualTo(8);
        ClusterCommand cluster = new ClusterCommand();
        new CommandLine(cluster).parseArgs("status");
        assertThat(List.of(cluster.size.accounts, cluster.size.subscribers)).containsExactly(10_000L, 5_000L);
        bench = new BenchCommand();
        new CommandLine(bench).parseArgs("--accounts", "7", "--window", "0.5");
        assertThat(List.of(bench.size.accounts, (long) (bench.measurement.window * 10))).as("given wins").containsExactly(7L, 5L);
        String help = new CommandLine(new ChaosCommand()).getUsageMessage().replaceAll("\\s+", " ");
        assertThat(help).as("the help says the command's default, and why it differs")
                .contains("Default: 10000; by command: serve makes room for 100000");
    }

    @Command(name = "other", defaultValueProvider = CommandDefaults.class)
    static final class WithoutItsDefaults {
        @Mixin
        WorkloadSize size = new WorkloadSize();
    }

    @Test
    void aCommandWhoseDefaultIsNotGivenIsRefused() {
        assertThatThrownBy(() -> new CommandLine(new WithoutItsDefaults()).parseArgs()).hasStackTraceContaining(
                "no default of --accounts for dint other: give one in CommandDefaults");
    }
}
