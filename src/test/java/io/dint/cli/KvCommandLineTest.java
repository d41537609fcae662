package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Bad KV arguments end in one line that says what is wrong and what would do, before anything starts. */
class KvCommandLineTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "serve --service kv --cache write-around | unknown cache policy 'write-around': use one of [write-back-bloom, write-back, write-through]",
        "serve --service kv --population half | unknown KV population 'half'",
        "serve --service kv --cache-ratio 0 | cache size must be in (0, 64] slots per key, got 0.0",
        "serve --service kv --lease-ms 0 | --lease-ms must be positive",
        "serve --service kv --subscribers 0 | subscribers must be in 1..100000000",
        "serve --service lock2pl --backend memcached | the memcached backend serves only --service kv",
        "serve --service kv --backend redis | unknown backend 'redis'",
        "bench kv --kv-mix write-heavy | unknown KV mix 'write-heavy': use parallel (100% GET) or contention (80% GET, 20% SET)",
        "bench kv --cache none | unknown cache policy 'none'",
        "bench lock2pl --backends memcached | bench lock2pl has no backend 'memcached'",
        "bench kv --cache-ratio 100 | cache size must be in (0, 64] slots per key",
        "bench kv-ablation --kv-subscribers -5 | subscribers must be in 1..100000000",
    })
    void badArgumentsAreRefusedWithAReason(String args, String message) {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        cli.getSubcommands().values().forEach(c -> c.setErr(new PrintWriter(err)));
        int code = cli.execute(args.trim().split(" "));
        assertThat(code).as("exit code; stderr: %s", err).isNotZero();
        assertThat(err.toString()).contains(message);
    }
}
