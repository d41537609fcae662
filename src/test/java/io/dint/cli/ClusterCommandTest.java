package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ./dint cluster up}, the README's example application against it, {@code status} and
 * {@code down}, as separate processes the way a user types them.
 */
class ClusterCommandTest {

    private static String dint(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("dint.classpath"), "io.dint.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("dint %s finished", List.of(args)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("dint %s: %s", List.of(args), out).isZero();
        return out;
    }

    @Test
    void upExampleStatusDown() throws Exception {
        try {
            assertThat(dint("cluster", "up", "--workload", "smallbank", "--accounts", "500")).contains("up: smallbank");
            String example = dint("example", "--from", "3", "--to", "4", "--cents", "250");
            assertThat(example).contains("committed").contains("account 3: 1000000 -> 999750 cents")
                    .contains("account 4: 1000000 -> 1000250 cents");
            assertThat(dint("cluster", "status")).startsWith("up:");
        } finally {
            assertThat(dint("cluster", "down")).contains("cluster down");
        }
        assertThat(Files.exists(ClusterCommand.STATE)).isFalse();
    }
}
