package io.dint.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs ip, tc, bpftool and clang for the tests. */
final class Shell {

    private Shell() {
    }

    /** Runs the command; returns its output, or throws with it if the command fails. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + rc + ":\n" + out);
        }
        return out;
    }

    static String run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }
}
