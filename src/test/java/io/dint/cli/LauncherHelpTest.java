package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code ./dint help} lists every command, one line each, with the same words as the Java CLI's
 * one-line headers; every command's {@code --help} works, the launcher's own commands included.
 */
class LauncherHelpTest {
    /** Commands the launcher runs itself. */
    private static final List<String> LAUNCHER_ONLY = List.of("build", "test", "help");

    private static String launcher(String... args) throws Exception {
        Path script = Path.of("dint").toAbsolutePath();
        assertThat(script).as("the launcher beside pom.xml").exists();
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("./dint %s finished", List.of(args)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("./dint %s: %s", List.of(args), out).isZero();
        return out;
    }

    /** The command lines of {@code ./dint help}: name to description. */
    private static Map<String, String> listed() throws Exception {
        Map<String, String> commands = new LinkedHashMap<>();
        for (String line : launcher("help").lines().toList()) {
            if (line.startsWith("  ")) {
                String[] p = line.trim().split("\\s{2,}", 2);
                assertThat(p).as("'%s' is a command and its description", line).hasSize(2);
                commands.put(p[0], p[1]);
            }
        }
        return commands;
    }

    @Test
    void helpListsEveryJavaCommandWithItsHeader() throws Exception {
        Map<String, String> listed = listed();
        CommandLine cli = Main.commandLine();
        for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
            String[] header = sub.getValue().getCommandSpec().usageMessage().header();
            assertThat(header).as("%s has a one-line header", sub.getKey()).hasSize(1);
            assertThat(header[0].length()).as("%s's header fits one line of picocli's command list", sub.getKey()).isLessThanOrEqualTo(68);
            assertThat(listed).as("./dint help lists %s", sub.getKey()).containsEntry(sub.getKey(), header[0]);
        }
        assertThat(listed.keySet()).as("./dint help lists no command the CLI lacks")
                .allMatch(name -> cli.getSubcommands().containsKey(name) || LAUNCHER_ONLY.contains(name));
        assertThat(listed.keySet()).containsAll(LAUNCHER_ONLY);
    }

    @Test
    void everyJavaCommandHasHelp() {
        for (String name : Main.commandLine().getSubcommands().keySet()) {
            CommandLine cli = Main.commandLine();
            StringWriter out = new StringWriter();
            cli.setOut(new PrintWriter(out));
            assertThat(cli.execute(name, "--help")).as("dint %s --help", name).isZero();
            assertThat(out.toString()).as("dint %s --help", name).contains("Usage: dint " + name);
        }
    }

    @Test
    void launcherCommandsHaveHelpAndDoNotRun() throws Exception {
        assertThat(launcher("build", "--help")).startsWith("usage: ./dint build");
        assertThat(launcher("test", "--help")).startsWith("usage: ./dint test");
        assertThat(launcher("help", "build")).startsWith("usage: ./dint build");
        assertThat(launcher()).isEqualTo(launcher("help")).startsWith("usage: ./dint COMMAND");
    }
}
