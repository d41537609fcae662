package io.dint.cli;

import io.dint.backend.Backend;
import io.dint.backend.Frontend;
import io.dint.kv.KvDataSet;
import io.dint.kv.KvSettings;
import io.dint.log.FsyncPolicy;
import io.dint.log.LogSettings;
import io.dint.net.Ipv4;
import io.dint.server.Allowlist;
import io.dint.shard.ShardSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongUnaryOperator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The option groups of {@code dint serve}, each turned into the settings of the service packages
 * that build the servers: where and for whom a server answers ({@link Network}), the size of its
 * data ({@link DataSets}), its in-kernel cache ({@link SlowPath}), its commit log ({@link Log}),
 * and a shard's replicas, leases and recovery ({@link Recovery}). The checks of the values given
 * live here, so that a bad one is refused in the option's own words before anything starts.
 */
final class ServeOptions {
    private ServeOptions() {}

    /** The IPv4 address {@code value} of {@code option}; a refusal names the option. */
    static int address(String option, String value) {
        try {
            return Ipv4.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /** Network and allowlist: the backend, its interface, address and threads, the clients served. */
    static final class Network {
        @Mixin
        BackendOption backend = new BackendOption();

        @Option(names = "--iface", defaultValue = "eth0", description = "Interface the XDP program (xdp, afxdp) attaches to."
                + " Default: ${DEFAULT-VALUE}.")
        String iface;

        @Option(names = "--allow", converter = Converters.ToAllowlist.class, defaultValue = "",
                description = "Client prefixes served, comma-separated (10.231.0.0/24,192.168.1.7): requests from any other "
                        + "source are dropped and counted (drop_not_allowed), in the kernel on xdp. Default: every source.")
        Allowlist allow;

        @Option(names = "--bind", defaultValue = "0.0.0.0", description = "IPv4 address the UDP backend binds. Default: ${DEFAULT-VALUE}.")
        String bind;

        @Option(names = "--threads", defaultValue = "2", description = "Server threads of the UDP backend (and of the KV slow path)."
                + " Default: ${DEFAULT-VALUE}.")
        int threads;

        Backend backend() {
            return backend.backend;
        }

        Frontend frontend() {
            return new Frontend(backend(), iface, address("--bind", bind), threads, allow);
        }
    }

    /** The data a service holds: lock ids, OCC keys, the KV data set, the Smallbank and TATP sizes. */
    static final class DataSets {
        @Mixin
        LockIds lockIds = new LockIds();

        @Option(names = "--keys", defaultValue = "1000000", description = "OCC: distinct keys; the table holds 1.5x as many entries."
                + " Default: ${DEFAULT-VALUE}.")
        long keys;

        @Mixin
        WorkloadSize size = new WorkloadSize();

        @Option(names = "--population", defaultValue = "all",
                description = "KV: which keys exist: all, or tatp (TATP's steady state, 31%%). Default: ${DEFAULT-VALUE}.")
        String population;

        @Option(names = "--seed", defaultValue = "42", description = "KV and tatp: seed of the TATP population. Default: ${DEFAULT-VALUE}.")
        long seed;

        /** The KV data set: the CALL_FORWARDING keys of {@code --subscribers} subscribers. */
        KvDataSet kv() {
            return new KvDataSet(size.subscribers, KvDataSet.Population.parse(population), seed);
        }
    }

    /** The in-kernel cache and its slow path: KV's and xdp shards'. */
    static final class SlowPath {
        @Mixin
        KvCache cache = new KvCache();

        @Option(names = "--lease-ms", defaultValue = "20", description = "KV and shards (xdp): a bucket locked for a slow-path"
                + " request longer than this may be taken over. Default: ${DEFAULT-VALUE}.")
        double leaseMs;

        @Option(names = "--drop-slow-replies", defaultValue = "0", hidden = true,
                description = "KV testing: the slow path drops this many replies, as if lost.")
        int dropSlowReplies;

        long leaseNanos() {
            if (!(leaseMs > 0)) {
                throw new IllegalArgumentException("--lease-ms must be positive, got " + leaseMs);
            }
            return Math.round(leaseMs * 1e6);
        }

        KvSettings kv(DataSets data) {
            return new KvSettings(data.kv(), cache.policy(), cache.ratio, leaseNanos(), dropSlowReplies);
        }
    }

    /** The commit log: of the log service, and of shards (xdp, or udp and afxdp given a file). */
    static final class Log {
        @Option(names = "--log", paramLabel = "FILE", description = "log, and shards (xdp): the commit-log file records are drained to (created, or"
                + " recovered and appended to). Shards without it: a temporary file removed at exit.")
        Path file;

        @Option(names = "--ring", defaultValue = "default", description = "log: name of the rings (pinned BPF maps under"
                + " /sys/fs/bpf/dint/log-NAME, or /dev/shm/dint-log-NAME for udp) that outlive this process; a server restarted"
                + " with the same name drains what a crashed one left. Default: ${DEFAULT-VALUE}.")
        String ring;

        @Option(names = "--ring-slots", defaultValue = "65536", description = "log and shards (xdp): records per ring (one ring per"
                + " CPU, or per udp server thread), a power of two. Default: ${DEFAULT-VALUE}.")
        int ringSlots;

        @Option(names = "--fsync-ms", defaultValue = "10", description = "log: group fsync at most this many ms after a record"
                + " reaches the file. Default: ${DEFAULT-VALUE}.")
        long fsyncMs;

        @Option(names = "--fsync-records", defaultValue = "4096", description = "log: ... or once this many records are unsynced,"
                + " whichever comes first. Default: ${DEFAULT-VALUE}.")
        long fsyncRecords;

        @Option(names = "--drain-idle-us", defaultValue = "100", description = "log and shards: how long the drainer first sleeps"
                + " when the rings are empty; it sleeps twice as long each time they still are, up to 1 ms. Default: ${DEFAULT-VALUE}.")
        long drainIdleUs;

        /** The log as given; the log service needs a file, which {@code fileRequired} says. */
        LogSettings settings(boolean fileRequired) {
            if (fileRequired && file == null) {
                throw new IllegalArgumentException("--service log needs --log FILE: the commit-log file to drain the rings to");
            }
            if (!ring.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("--ring must be 1-64 letters, digits, '_', '.' or '-', got '" + ring + "'");
            }
            if (drainIdleUs < 0) {
                throw new IllegalArgumentException("--drain-idle-us must be >= 0, got " + drainIdleUs);
            }
            return new LogSettings(file, ring, ringSlots, new FsyncPolicy(Duration.ofMillis(fsyncMs), fsyncRecords), drainIdleUs * 1000);
        }
    }

    /** A shard's lock lease, replicas and way back after a kill: what chaos runs exercise. */
    static final class Recovery {
        @Option(names = "--lock-lease-ms", defaultValue = "1000",
                description = "Shards: a transaction lock granted longer ago than this may be taken over by a conflicting request,"
                        + " unless its holder has logged here (0: never). Coordinators commit within half of it. Default: ${DEFAULT-VALUE}.")
        int lockLeaseMs;

        @Option(names = "--peers", split = ",", description = "Shards: IPv4 addresses of the other replicas. This shard then serves"
                + " snapshots of its records to them (TCP, the service port + 1), and with --recover asks them for theirs.")
        List<String> peers;

        @Option(names = "--recover", description = "Shards: this shard lost everything but its --log file (a killed server):"
                + " recover from the file and the --peers before serving, under a new epoch, and answer reads and locks RETRY"
                + " for --grace-ms while transactions under way finish their installs here.")
        boolean recover;

        @Option(names = "--grace-ms", defaultValue = "1000", description = "Shards, with --recover: the grace period. Default: ${DEFAULT-VALUE}.")
        long graceMs;

        @Option(names = "--pin", description = "Shards (xdp): keep the maps, the XDP program and the records (in /dev/shm) when this"
                + " process is killed, under this name; a process started with the same name takes them over and replaces the"
                + " program. Removed when the shard stops on quit.")
        String pin;

        /**
         * The settings of a shard of {@code records} records on {@code backend}, with the slow path
         * and log given; {@code parentKeys} is the workload's rule for the end-of-run check.
         */
        ShardSettings shard(long records, LongUnaryOperator parentKeys, Backend backend, SlowPath slowPath, Log log) {
            if (lockLeaseMs < 0) {
                throw new IllegalArgumentException("--lock-lease-ms must be >= 0, got " + lockLeaseMs);
            }
            if (recover && (peers == null || peers.isEmpty() || log.file == null)) {
                throw new IllegalArgumentException("--recover needs --peers (the replicas to recover from) and --log (this shard's commit log)");
            }
            if (graceMs < 0) {
                throw new IllegalArgumentException("--grace-ms must be >= 0, got " + graceMs);
            }
            if (pin != null && !pin.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("--pin must be 1-64 letters, digits, '_' or '-' (the BPF file system refuses dots),"
                        + " got '" + pin + "'");
            }
            if (pin != null && backend != Backend.XDP) {
                throw new IllegalArgumentException("--pin is for the xdp backend: the others keep nothing in the kernel");
            }
            int[] addresses = peers == null ? new int[0] : peers.stream().mapToInt(p -> address("--peers", p)).toArray();
            return new ShardSettings(records, parentKeys, slowPath.cache.ratio, slowPath.leaseNanos(), lockLeaseMs, log.settings(false),
                    new ShardSettings.Recovery(addresses, recover, graceMs, pin));
        }
    }
}
