package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The command line's main class is named as a string in two places that may not refer to the
 * class itself: {@link LocalCluster#MAIN_CLASS} (the cluster package may not use this one) and the
 * {@code dint} launcher. Both must name {@link Main}.
 */
class MainClassTest {
    /** The class the launcher's {@code java -cp ... CLASS "$@"} runs. */
    private static final Pattern LAUNCHED = Pattern.compile("-cp \\S+ ([\\w.]+) \"\\$@\"");

    @Test
    void theClusterStartsTheCommandLinesMainClass() {
        assertThat(LocalCluster.MAIN_CLASS).isEqualTo(Main.class.getName());
    }

    @Test
    void theLauncherRunsTheSameClass() throws Exception {
        assertThat(launched(Files.readString(Path.of("dint")))).containsExactly(Main.class.getName());
    }

    @Test
    void aLauncherNamingAnotherClassIsSeen() {
        String renamed = "exec java -cp \"$ROOT/target/classes\" io.dint.cli.OldMain \"$@\"\n";
        assertThat(launched(renamed)).containsExactly("io.dint.cli.OldMain").doesNotContain(Main.class.getName());
    }

    private static List<String> launched(String script) {
        Matcher m = LAUNCHED.matcher(script);
        return m.results().map(r -> r.group(1)).toList();
    }
}
