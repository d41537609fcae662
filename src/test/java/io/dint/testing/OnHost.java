package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code dint COMMAND ...} on a host of a local cluster the way an operator runs it on a
 * machine of its own: a fresh JVM of the main class under {@code ip netns exec}, sharing nothing
 * with the test but files and the network; its stdout and stderr together are the output.
 */
public final class OnHost {
    private OnHost() {}

    /** What a finished command left. */
    public record Run(int exit, String output) {}

    /** Starts {@code dint args...} on {@code host} and returns the process (output merged into stdout). */
    public static Process start(Host host, List<String> args) {
        return launch(List.of("ip", "netns", "exec", host.netns()), args);
    }

    /** Starts {@code dint args...} on this machine, in no namespace of a cluster, as a user types it. */
    public static Process here(List<String> args) {
        return launch(List.of(), args);
    }

    private static Process launch(List<String> prefix, List<String> args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = System.getProperty("dint.classpath", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath, LocalCluster.MAIN_CLASS));
        cmd.addAll(args);
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    /** Runs {@code dint args...} on {@code host} to its end, for at most {@code limit}. */
    public static Run run(Host host, Duration limit, String... args) throws InterruptedException {
        return await(start(host, List.of(args)), limit, host.name() + ": dint " + String.join(" ", args));
    }

    /** Waits for a process from {@link #start} to end, for at most {@code limit}; {@code what} names it in a failure. */
    public static Run await(Process p, Duration limit, String what) throws InterruptedException {
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        String text = "(output unread)";
        try {
            text = out.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // keep what there is
        }
        assertThat(done).as("%s finished within %s; output:\n%s", what, limit, text).isTrue();
        return new Run(p.exitValue(), text);
    }
}
