package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.testing.OnHost;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ./dint cluster up}, the README's example application against it, {@code status} and
 * {@code down}, as separate processes the way a user types them.
 */
class ClusterCommandTest {

    private static String dint(String... args) throws Exception {
        OnHost.Run r = OnHost.await(OnHost.here(List.of(args)), Duration.ofMinutes(5), "dint " + String.join(" ", args));
        assertThat(r.exit()).as("dint %s: %s", List.of(args), r.output()).isZero();
        return r.output();
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
