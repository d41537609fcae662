package io.dint.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs iproute2 (and other short host commands) and turns a failure into an exception that quotes it. */
final class IpCommand {
    static final String IP = "ip";
    private static final long TIMEOUT_SECONDS = 30;

    private IpCommand() {}

    /** {@code ip args...}; returns its stdout. */
    static String ip(String... args) {
        List<String> cmd = new ArrayList<>(args.length + 1);
        cmd.add(IP);
        cmd.addAll(List.of(args));
        return run(cmd, null);
    }

    /**
     * {@code ip [-n netns] -batch -} fed {@code lines}: one process for many changes, stopping at the
     * first failing line (iproute2 names its line number in the error).
     */
    static void batch(String netns, List<String> lines) {
        List<String> cmd = new ArrayList<>(List.of(IP));
        if (netns != null) {
            cmd.addAll(List.of("-n", netns));
        }
        cmd.addAll(List.of("-batch", "-"));
        run(cmd, String.join("\n", lines) + "\n");
    }

    /** Runs {@code cmd} with {@code stdin} (may be null), bounded in time; returns stdout or throws with stderr. */
    static String run(List<String> cmd, String stdin) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run `" + String.join(" ", cmd) + "`: " + e.getMessage()
                    + (cmd.getFirst().equals(IP) ? " (install iproute2)" : ""), e);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the process died early; its exit status and stderr say why
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("`" + describe(cmd, stdin) + "` did not finish within "
                        + TIMEOUT_SECONDS + " s");
            }
            String stdout = out.get(5, TimeUnit.SECONDS);
            String stderr = err.get(5, TimeUnit.SECONDS);
            if (p.exitValue() != 0) {
                throw new CommandFailedException("`" + describe(cmd, stdin) + "` failed with exit status "
                        + p.exitValue() + ": " + (stderr.isBlank() ? stdout.strip() : stderr.strip()), stderr);
            }
            return stdout;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running `" + String.join(" ", cmd) + "`", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the output of `" + String.join(" ", cmd) + "`", e);
        }
    }

    /** A command that ran and exited non-zero; {@link #stderr()} for callers that tolerate some errors. */
    static final class CommandFailedException extends IllegalStateException {
        private final String stderr;

        CommandFailedException(String message, String stderr) {
            super(message);
            this.stderr = stderr;
        }

        String stderr() {
            return stderr;
        }
    }

    private static String describe(List<String> cmd, String stdin) {
        String c = String.join(" ", cmd);
        return stdin == null ? c : c + " <<EOF\n" + stdin + "EOF\n";
    }

    private static CompletableFuture<String> drain(InputStream s) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (s) {
                f.complete(new String(s.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return f;
    }
}
