package io.dint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Bad arguments end in one line that says what is wrong and what would do, before anything
 * starts: a row per check, whichever option group or service package makes it.
 */
class BadArgumentsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // serve: the KV store
        "serve --service kv --cache write-around | unknown cache policy 'write-around': use one of [write-back-bloom, write-back, write-through]",
        "serve --service kv --population half | unknown KV population 'half'",
        "serve --service kv --cache-ratio 0 | cache size must be in (0, 64] slots per key, got 0.0",
        "serve --service kv --lease-ms 0 | --lease-ms must be positive",
        "serve --service kv --subscribers 0 | subscribers must be in 1..100000000",
        "serve --service kv --backend memcached --allow 10.0.0.0/8 | --allow is not available with the memcached backend",
        "serve --service kv --backend redis | unknown backend 'redis': use one of [xdp, udp, afxdp, memcached]",
        "serve --service kv --allow 10.0.0.0/33 | prefix length of '10.0.0.0/33' must be 0..32",
        "serve --service lock2pl --backend udp --bind 10.0.0 | --bind: not a dotted-quad IPv4 address: '10.0.0'",
        // serve: which service, where
        "serve --backend xdp | which service? give --service",
        "serve --service lock2pl --host s0 | --host names this host in a cluster file: give --cluster FILE too",
        "serve --service lock2pl --backend memcached | the memcached backend serves only --service kv",
        "serve --service log --backend memcached --log /nonexistent/x.log | the memcached backend serves only --service kv",
        "serve --service smallbank --backend memcached | the memcached backend serves only --service kv",
        "serve --service lock2pl --lock-ids 0 | lock id count must be in 1..",
        "serve --service occ --keys -1 | lock id count must be in 1..",
        // serve: the commit log
        "serve --service log | --service log needs --log FILE",
        "serve --service log --log /nonexistent/x.log --ring a/b | --ring must be 1-64 letters, digits",
        "serve --service log --log /nonexistent/x.log --ring-slots 1000 | ring slots must be a power of two",
        "serve --service log --log /nonexistent/x.log --drain-idle-us -1 | --drain-idle-us must be >= 0, got -1",
        "serve --service smallbank --ring-slots 3 | ring slots must be a power of two",
        // serve: shards' leases, replicas and recovery
        "serve --service smallbank --lease-ms -1 | --lease-ms must be positive",
        "serve --service tatp --lock-lease-ms -1 | --lock-lease-ms must be >= 0, got -1",
        "serve --service smallbank --recover | --recover needs --peers (the replicas to recover from) and --log",
        "serve --service smallbank --recover --peers 10.0.0.2 | --recover needs --peers",
        "serve --service smallbank --grace-ms -1 | --grace-ms must be >= 0, got -1",
        "serve --service smallbank --pin a.b | --pin must be 1-64 letters, digits, '_' or '-'",
        "serve --service smallbank --backend udp --pin s0 | --pin is for the xdp backend",
        "serve --service smallbank --peers 10.0.0.2,10.0.0.300 | --peers: not a dotted-quad IPv4 address: '10.0.0.300'",
        // bench
        "bench kv --kv-mix write-heavy | unknown KV mix 'write-heavy': use parallel (100% GET) or contention (80% GET, 20% SET)",
        "bench kv --cache none | unknown cache policy 'none'",
        "bench lock2pl --backends memcached | bench lock2pl has no backend 'memcached': use some of [xdp, afxdp, udp]",
        "bench lock2pl --backends redis | unknown backend 'redis'",
        "bench kv --cache-ratio 100 | cache size must be in (0, 64] slots per key",
        "bench kv-ablation --kv-subscribers -5 | subscribers must be in 1..100000000",
        "bench lock3pl | unknown benchmark 'lock3pl': choose from",
        "bench lock2pl --scale huge | unknown --scale 'huge': use default or paper",
        "bench lock2pl --window 0 | --warmup must be >= 0 and --window > 0 seconds",
        "bench lock2pl --warmup -1 | --warmup must be >= 0 and --window > 0 seconds",
        "bench lock2pl --client dpdk | unknown client 'dpdk': use kernel, afxdp or socket",
        "bench lock2pl --no-split --server-cpus 1 --client-cpus 0 | --no-split cannot go with --server-cpus or --client-cpus",
        "bench lock2pl --server-cpus 1 | give both --server-cpus and --client-cpus, or neither",
        "bench lock2pl --sweep 1x100000 | sweep point 1x100000: the kernel client keeps at most",
        "bench lock2pl --sweep 32 | sweep point '32' must look like THREADSxINFLIGHT",
        // chaos
        "chaos --backends memcached | chaos has no backend 'memcached': use some of [xdp, afxdp, udp]",
        "chaos ycsb | unknown workload 'ycsb': choose from [smallbank, tatp]",
        "chaos --delay-us 100 | --delay-us is not available",
        "chaos --window 0 | --warmup must be >= 0 and --window > 0 seconds",
        "chaos --every 0 | --every and --give-up must be positive",
        "chaos --give-up -1 | --every and --give-up must be positive",
        "chaos --kill everything | unknown kill 'everything': use slow-path or server",
        "chaos --drop 2 | a fault share is between 0 and 1, got 2.0",
        "chaos --reorder -0.5 | a fault share is between 0 and 1, got -0.5",
        "chaos --soak 0 | --soak and --interval must be positive",
        "chaos --soak 1 --interval 0 | --soak and --interval must be positive",
        // cluster
        "cluster up --backend memcached | the shards run on --backend xdp, udp or afxdp, got 'memcached'",
        "cluster up --workload ycsb | unknown workload 'ycsb': use smallbank or tatp",
        "cluster sideways | unknown action 'sideways': use up, status or down",
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
