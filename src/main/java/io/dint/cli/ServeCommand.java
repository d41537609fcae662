package io.dint.cli;

import io.dint.kv.KvDataSet;
import io.dint.kv.KvPolicy;
import io.dint.kv.KvService;
import io.dint.kv.KvStore;
import io.dint.kv.KvXdpServer;
import io.dint.kv.MemcachedServer;
import io.dint.lock.LockObjects;
import io.dint.lock.LockTable;
import io.dint.bpf.BpfObject;
import io.dint.log.FsyncPolicy;
import io.dint.log.LogFile;
import io.dint.log.LogObjects;
import io.dint.log.LogRings;
import io.dint.log.LogServer;
import io.dint.log.LogService;
import io.dint.log.RingStorage;
import io.dint.log.ShmRings;
import io.dint.net.Ipv4;
import io.dint.occ.OccObjects;
import io.dint.occ.OccTable;
import io.dint.cluster.ClusterFile;
import io.dint.server.Allowlist;
import io.dint.server.ControlEndpoint;
import io.dint.server.ServerControl;
import io.dint.server.ServiceServer;
import io.dint.server.UdpServer;
import io.dint.server.XdpServer;
import io.dint.wire.Wire;
import io.dint.xsk.AfXdpServer;
import io.dint.shard.ShardLog;
import io.dint.shard.ShardRecovery;
import io.dint.shard.ShardSnapshots;
import io.dint.shard.ShardStore;
import io.dint.shard.ShardXdpServer;
import io.dint.txn.TxnWorkload;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs one service on this host with the chosen backend, controlled over stdin/stdout and, with
 * {@code --control} (or {@code --cluster}), over HTTP.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        header = "Serve one DINT service on this host (one per server of a cluster).",
        description = "Serve a DINT service on this host (the local cluster runs one per server namespace).")
final class ServeCommand implements Callable<Integer> {
    enum Service { lock2pl, occ, log, kv, smallbank, tatp }

    @Option(names = "--service", description = "Service: ${COMPLETION-CANDIDATES}. Required unless --cluster gives it.")
    Service service;

    @Option(names = "--cluster", paramLabel = "FILE", description = "A cluster file (TOML): serve its [service] with its options"
            + " as its host --host, on that host's interface and CPUs, with the control endpoint at the host's control address."
            + " Options given here as well override the file's.")
    Path cluster;

    @Option(names = "--host", paramLabel = "NAME", description = "With --cluster: this host's name in the file.")
    String host;

    @Option(names = "--control", paramLabel = "ADDR:PORT", description = "Serve the control endpoint (HTTP: /ready, /stats,"
            + " /check as JSON, /metrics for Prometheus) on this address. Default: none (with --cluster: the host's control).")
    String control;

    @Option(names = "--cpus", paramLabel = "LIST", description = "Run this server on these CPUs only (e.g. 2-7). Default: every CPU.")
    String cpus;

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", defaultValue = "xdp", description = "xdp (in-kernel fast path), udp (Java over kernel UDP), afxdp (Java over AF_XDP, one busy-polling thread) or, for kv, memcached (Debian's, UDP on). Default: ${DEFAULT-VALUE}.",
            converter = BackendConverter.class)
    Backend backend;

    @Option(names = "--iface", defaultValue = "eth0", description = "Interface the XDP program (xdp, afxdp) attaches to. Default: ${DEFAULT-VALUE}.")
    String iface;

    @Option(names = "--allow", converter = AllowlistConverter.class, defaultValue = "",
            description = "Client prefixes served, comma-separated (10.231.0.0/24,192.168.1.7): requests from any other "
                    + "source are dropped and counted (drop_not_allowed), in the kernel on xdp. Default: every source.")
    Allowlist allow;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "IPv4 address the UDP backend binds. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--threads", defaultValue = "2", description = "Server threads of the UDP backend (and of the KV slow path). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--lock-ids", defaultValue = "1000000", description = "Distinct lock ids; the table holds 1.5x as many entries. Default: ${DEFAULT-VALUE}.")
    long lockIds;

    @Option(names = "--keys", defaultValue = "1000000", description = "OCC: distinct keys; the table holds 1.5x as many entries. Default: ${DEFAULT-VALUE}.")
    long keys;

    @Option(names = "--log", description = "log, and shards (xdp): the commit-log file records are drained to (created, or recovered and appended to). Shards without it: a temporary file removed at exit.")
    Path logFile;

    @Option(names = "--ring", defaultValue = "default", description = "log: name of the rings (pinned BPF maps under /sys/fs/bpf/dint/log-NAME, "
            + "or /dev/shm/dint-log-NAME for udp) that outlive this process; a server restarted with the same name drains what a crashed one left. Default: ${DEFAULT-VALUE}.")
    String ring;

    @Option(names = "--ring-slots", defaultValue = "65536", description = "log and shards (xdp): records per ring (one ring per CPU, or per udp server thread), a power of two. Default: ${DEFAULT-VALUE}.")
    int ringSlots;

    @Option(names = "--fsync-ms", defaultValue = "10", description = "log: group fsync at most this many ms after a record reaches the file. Default: ${DEFAULT-VALUE}.")
    long fsyncMs;

    @Option(names = "--fsync-records", defaultValue = "4096", description = "log: ... or once this many records are unsynced, whichever comes first. Default: ${DEFAULT-VALUE}.")
    long fsyncRecords;

    @Option(names = "--drain-idle-us", defaultValue = "100", description = "log: how long the drainer sleeps when the rings are empty. Default: ${DEFAULT-VALUE}.")
    long drainIdleUs;

    @Option(names = "--subscribers", defaultValue = "100000",
            description = "KV: TATP subscribers whose 12 CALL_FORWARDING keys make the data set (paper: 2000000). Default: ${DEFAULT-VALUE}.")
    long subscribers;

    @Option(names = "--accounts", defaultValue = "100000",
            description = "smallbank: accounts (paper: 24000000); the shard holds savings and checking of each. Default: ${DEFAULT-VALUE}.")
    long accounts;

    @Option(names = "--population", defaultValue = "all",
            description = "KV: which keys exist: all, or tatp (TATP's steady state, 31%%). Default: ${DEFAULT-VALUE}.")
    String population;

    @Option(names = "--cache", defaultValue = "write-back-bloom",
            description = "KV: cache policy: write-back-bloom, write-back or write-through. Default: ${DEFAULT-VALUE}.")
    String cache;

    @Option(names = "--cache-ratio", defaultValue = "1.5",
            description = "KV and shards (xdp): kernel cache slots per key or record (paper: 1.5); the cache has slots/4 buckets. Default: ${DEFAULT-VALUE}.")
    double cacheRatio;

    @Option(names = "--lease-ms", defaultValue = "20",
            description = "KV and shards (xdp): a bucket locked for a slow-path request longer than this may be taken over. Default: ${DEFAULT-VALUE}.")
    double leaseMs;

    @Option(names = "--lock-lease-ms", defaultValue = "1000",
            description = "Shards: a transaction lock granted longer ago than this may be taken over by a conflicting request, unless"
                    + " its holder has logged here (0: never). Coordinators commit within half of it. Default: ${DEFAULT-VALUE}.")
    int lockLeaseMs;

    @Option(names = "--peers", split = ",",
            description = "Shards: IPv4 addresses of the other replicas. This shard then serves snapshots of its records to them"
                    + " (TCP, the service port + 1), and with --recover asks them for theirs.")
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

    @Option(names = "--seed", defaultValue = "42", description = "KV: seed of the TATP population. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--drop-slow-replies", defaultValue = "0", hidden = true,
            description = "KV testing: the slow path drops this many replies, as if lost.")
    int dropSlowReplies;

    @Override
    public Integer call() throws Exception {
        if (cluster != null) {
            return fromClusterFile();
        }
        if (host != null) {
            throw new IllegalArgumentException("--host names this host in a cluster file: give --cluster FILE too");
        }
        if (service == null) {
            throw new IllegalArgumentException("which service? give --service (" + java.util.Arrays.toString(Service.values())
                    + "), or --cluster FILE --host NAME");
        }
        if (cpus != null) {
            io.dint.cluster.CoreSplit.pinThisProcess(cpus);
        }
        ControlEndpoint endpoint = control == null ? null : ControlEndpoint.start(ClusterFile.parseEndpoint(control));
        try {
            serve(endpoint);
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
        }
        return 0;
    }

    /**
     * {@code serve --cluster FILE --host NAME}: this host must be the file's server NAME (its
     * address on its interface here); neighbour entries for the hosts whose MAC the file gives,
     * then the file's serve arguments with this command line's own after them.
     */
    private int fromClusterFile() throws Exception {
        ClusterFile file = ClusterFile.read(cluster);
        if (host == null) {
            throw new IllegalArgumentException("--cluster needs --host NAME: which server of " + cluster + " this is ("
                    + String.join(", ", file.servers().stream().map(ClusterFile.Entry::name).toList()) + ")");
        }
        ClusterFile.Entry me = file.host(host, ClusterFile.Role.SERVER);
        io.dint.cluster.Host here = file.local(me, true);
        file.addNeighbours(here);
        List<String> args = new ArrayList<>(file.serveArgs(me));
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            if (o.longestName().equals("--cluster") || o.longestName().equals("--host")) {
                continue;
            }
            List<String> values = o.originalStringValues();
            if (values.isEmpty()) {
                args.add(o.longestName());
            }
            for (String v : values) {
                args.addAll(List.of(o.longestName(), v));
            }
        }
        ServeCommand resolved = new ServeCommand();
        CommandLine cli = new CommandLine(resolved);
        cli.setOverwrittenOptionsAllowed(true);
        try {
            cli.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("cluster file " + cluster + ", host " + host + ": " + e.getMessage()
                    + " (from `serve " + String.join(" ", args) + "`)", e);
        }
        System.err.println("dint: " + host + " serves " + resolved.service + " on " + resolved.backend.id() + ", interface "
                + resolved.iface + " (" + me.address() + "), control endpoint http://" + resolved.control + "/");
        return resolved.call();
    }

    /**
     * What {@code dint serve --cluster FILE --host NAME} runs with on server {@code name}: the
     * file's arguments parsed as this command parses them, defaults filled in. Lets a client host
     * learn the service's scale from the same file.
     */
    static ServeCommand resolve(ClusterFile file, ClusterFile.Entry server) {
        ServeCommand resolved = new ServeCommand();
        try {
            new CommandLine(resolved).parseArgs(file.serveArgs(server).toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("cluster file " + file.origin() + ": " + e.getMessage(), e);
        }
        return resolved;
    }

    private void serve(ControlEndpoint endpoint) throws Exception {
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("service", service.name());
        ready.put("backend", backend.id());
        ready.put("allow", allow.toString());
        ServiceServer server = switch (service) {
            case lock2pl -> lock2pl(ready);
            case occ -> occ(ready);
            case log -> log(ready);
            case kv -> kv(ready);
            case smallbank -> shard(new SmallbankWorkload(accounts), ready);
            case tatp -> shard(new TatpWorkload(subscribers, seed), ready);
        };
        ready.put("pid", ProcessHandle.current().pid());
        ServerControl.run(server, ready, endpoint);
    }

    /**
     * A transaction shard: every record of the workload (primary for a third, backup for the rest),
     * 2PL and OCC locks, the commit log. Served in XDP (records cached in the kernel, the Java slow
     * path holding them all, the log drained to a file), or in Java over kernel UDP or AF_XDP.
     */
    private ServiceServer shard(TxnWorkload workload, Map<String, Object> ready) {
        ready.put("records", workload.records());
        ready.putAll(workload.scale());
        if (lockLeaseMs < 0) {
            throw new IllegalArgumentException("--lock-lease-ms must be >= 0, got " + lockLeaseMs);
        }
        if (recover && (peers == null || peers.isEmpty() || logFile == null)) {
            throw new IllegalArgumentException("--recover needs --peers (the replicas to recover from) and --log (this shard's commit log)");
        }
        if (graceMs < 0) {
            throw new IllegalArgumentException("--grace-ms must be >= 0, got " + graceMs);
        }
        if (pin != null && !pin.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("--pin must be 1-64 letters, digits, '_' or '-' (the BPF file system refuses dots), got '"
                    + pin + "'");
        }
        if (pin != null && backend != Backend.XDP) {
            throw new IllegalArgumentException("--pin is for the xdp backend: the others keep nothing in the kernel");
        }
        int epoch = newEpoch();
        ready.put("epoch", epoch);
        ServiceServer shard = switch (backend) {
            case UDP, AFXDP -> logFile == null ? plainJavaShard(workload, epoch) : durableJavaShard(workload, ready, epoch);
            case XDP -> xdpShard(workload, ready, epoch);
            case MEMCACHED -> throw new IllegalArgumentException("the memcached backend serves only --service kv");
        };
        if (peers == null) {
            return shard;
        }
        return new ServedShard(shard, new ShardSnapshots(snapshotted.store(), Ipv4.ANY, ShardSnapshots.PORT,
                snapshotted.beforeSnapshot()), () -> { });
    }

    /** The store and what to do before a snapshot of it, of the shard being built (for {@link ReplicaShard}). */
    private record Snapshotted(ShardStore store, Runnable beforeSnapshot) {}

    private Snapshotted snapshotted;

    /** A Java shard (udp, afxdp) whose log lives in memory only. */
    private ServiceServer plainJavaShard(TxnWorkload workload, int epoch) {
        ShardStore store = javaShard(workload, epoch, new ShardLog(workload.records()));
        snapshotted = new Snapshotted(store, () -> { });
        return backend == Backend.UDP ? new UdpServer(store, Ipv4.parse(bind), Wire.PORT, threads, allow)
                : new AfXdpServer(store, iface, Wire.PORT, allow);
    }

    /**
     * A Java shard with a durable commit log: each serving thread appends to a ring in /dev/shm
     * (named by --ring; it outlives the process), drained to the --log file as the log service's
     * are; the log's replayed records start from what the file holds.
     */
    private ServiceServer durableJavaShard(TxnWorkload workload, Map<String, Object> ready, int epoch) {
        int rings = backend == Backend.UDP ? threads : 1;
        LogRings.checkSlots(ringSlots);
        RingStorage storage = ShmRings.open(ShmRings.path(ring), rings, ringSlots);
        LogFile file;
        try {
            file = LogFile.open(logFile);
        } catch (RuntimeException e) {
            storage.close(false);
            throw e;
        }
        ShardStore[] made = new ShardStore[1];
        Map<String, Object> recovered = new LinkedHashMap<>();
        if (recover) {
            // the records first, from the replicas; the log file gets what it lacks before anything drains into it
            ShardStore scratch = new ShardStore(workload.records(), new ShardLog(workload.records()));
            recovered.putAll(ShardRecovery.recover(scratch, file, peerAddresses(), ShardSnapshots.PORT, Duration.ofSeconds(30)));
            made[0] = scratch;
        }
        ready.put("log_file", file.path().toString());
        ready.put("recovered", recovered);
        FsyncPolicy policy = new FsyncPolicy(Duration.ofMillis(fsyncMs), fsyncRecords);
        return new LogServer(storage, file, policy, drainIdleUs * 1000, r -> {
            awaitDrained(r);
            ShardLog log = ShardLog.replay(file.path(), 0, workload.records(), r);
            ShardStore store = new ShardStore(workload.records(), log);
            if (made[0] != null) {
                store.installAll(made[0]);
                made[0].close();
            }
            store.setEpoch(epoch);
            store.setLockLease(lockLeaseMs);
            if (recover) {
                store.setGraceUntil(System.nanoTime() + graceMs * 1_000_000);
            }
            snapshotted = new Snapshotted(store, () -> { });
            return backend == Backend.UDP ? new UdpServer(store, Ipv4.parse(bind), Wire.PORT, threads, allow)
                    : new AfXdpServer(store, iface, Wire.PORT, allow);
        });
    }

    private static void awaitDrained(LogRings rings) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (rings.pending() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private int[] peerAddresses() {
        return peers.stream().mapToInt(Ipv4::parse).toArray();
    }

    /** A random nonzero 16-bit epoch: a restarted shard never takes its predecessor's. */
    static int newEpoch() {
        return 1 + java.util.concurrent.ThreadLocalRandom.current().nextInt(0xffff);
    }

    private ShardStore javaShard(TxnWorkload workload, int epoch, ShardLog log) {
        ShardStore store = new ShardStore(workload.records(), log);
        store.setEpoch(epoch);
        store.setLockLease(lockLeaseMs);
        return store;
    }

    private ServiceServer xdpShard(TxnWorkload workload, Map<String, Object> ready, int epoch) {
        if (!(leaseMs > 0)) {
            throw new IllegalArgumentException("--lease-ms must be positive, got " + leaseMs);
        }
        int buckets = ShardXdpServer.buckets(workload.records(), cacheRatio);
        int lockEntries = (int) Math.min(Integer.MAX_VALUE / 2, workload.records() * 3 / 2 + 1);
        FsyncPolicy policy = new FsyncPolicy(Duration.ofMillis(fsyncMs), fsyncRecords);
        Path path = logFile;
        if (path == null) {
            try {
                path = Files.createTempFile("dint-shard-", ".log");
                Files.delete(path); // LogFile creates it, with its header
                path.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a temporary commit-log file: give one with --log FILE", e);
            }
        }
        Path pins = pin == null ? null : ShardXdpServer.pinDir(pin);
        Path storeFile = pin == null ? null : Path.of("/dev/shm", "dint-shard-" + pin);
        boolean restart = ShardXdpServer.pinned(pins);
        if (restart && recover) {
            throw new IllegalArgumentException("--recover is for a shard that lost its maps, but " + pins + " holds them: "
                    + "start without --recover to take them over");
        }
        BpfObject obj = ShardXdpServer.load(buckets, lockEntries, ringSlots, Math.round(leaseMs * 1e6), lockLeaseMs,
                XdpServer.interfaceMac(iface), allow, pins);
        RingStorage storage;
        LogFile file;
        ShardStore store;
        try {
            storage = LogObjects.rings(obj, null);
            file = LogFile.open(path);
            // the kernel keeps the log: the store's own stays empty
            store = storeFile == null ? new ShardStore(workload.records(), new ShardLog(workload.records()))
                    : new ShardStore(workload.records(), new ShardLog(workload.records()), storeFile);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
        ready.put("cache_buckets", buckets);
        ready.put("lock_entries", lockEntries);
        ready.put("log_file", file.path().toString());
        ready.put("slow_path_restart", restart);
        if (restart) {
            // the kernel's state is as the killed process left it, its epoch included
            ready.put("epoch", ShardXdpServer.epoch(obj));
        } else if (recover) {
            ready.put("recovered", ShardRecovery.recover(store, file, peerAddresses(), ShardSnapshots.PORT, Duration.ofSeconds(30)));
            ShardXdpServer.seedBloom(obj, store, buckets);
            ShardXdpServer.setEpoch(obj, epoch, System.nanoTime() + graceMs * 1_000_000);
        } else {
            ShardXdpServer.setEpoch(obj, epoch, 0);
        }
        Path drained = file.path();
        // a restarted or recovered shard's log holds its whole history, and so do its records
        long from = restart || recover ? 0 : file.recoveredRecords();
        Runnable cleanup = () -> removePinned(pins, storeFile);
        return new LogServer(storage, file, policy, drainIdleUs * 1000, rings -> {
            if (restart) {
                awaitDrained(rings); // what the killed process acknowledged is in the file before the torn records are mended
                try (ShardLog replayed = ShardLog.replay(drained, 0, workload.records())) {
                    ready.put("torn_records_repaired", store.repair(replayed));
                }
            }
            ShardXdpServer x = new ShardXdpServer(obj, store, buckets, iface, allow, threads, drained, from, pins);
            snapshotted = new Snapshotted(store, x::writeBack);
            return pins == null ? x : new ServedShard(x, () -> { }, cleanup);
        });
    }

    /** Removes what a pinned xdp shard keeps past its process: on a graceful stop, nothing is left for a successor. */
    private static void removePinned(Path pins, Path storeFile) {
        try {
            if (pins != null && Files.isDirectory(pins)) {
                try (var files = Files.list(pins)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(pins);
            }
            if (storeFile != null) {
                Files.deleteIfExists(storeFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the pinned state of the shard at " + pins, e);
        }
    }

    private ServiceServer kv(Map<String, Object> ready) {
        KvPolicy policy = KvPolicy.parse(cache);
        KvDataSet data = new KvDataSet(subscribers, KvDataSet.Population.parse(population), seed);
        if (!(leaseMs > 0)) {
            throw new IllegalArgumentException("--lease-ms must be positive, got " + leaseMs);
        }
        KvStore.bucketsFor(data.universe(), cacheRatio); // checks --cache-ratio before the data set is built
        if (backend == Backend.MEMCACHED) {
            if (allow.configured()) {
                throw new IllegalArgumentException("--allow is not available with the memcached backend: memcached has no "
                        + "allowlist (limit who reaches it with a firewall instead)");
            }
            MemcachedServer m = new MemcachedServer(data, threads);
            ready.put("keys", data.count());
            ready.put("port", MemcachedServer.PORT);
            return m;
        }
        KvStore store = data.load(cacheRatio);
        ready.put("keys", store.size());
        ready.put("key_universe", data.universe());
        ready.put("buckets", store.buckets());
        ready.put("store_bytes", store.bytesUsed());
        return switch (backend) {
            case XDP -> {
                ready.put("cache", policy.id());
                ready.put("cache_ratio", cacheRatio);
                yield new KvXdpServer(store, policy, Math.round(leaseMs * 1e6), iface, allow, threads, dropSlowReplies);
            }
            case UDP -> new UdpServer(new KvService(store), Ipv4.parse(bind), Wire.PORT, threads, allow);
            case AFXDP -> new AfXdpServer(new KvService(store), iface, Wire.PORT, allow);
            case MEMCACHED -> throw new IllegalStateException("unreachable: handled above");
        };
    }

    private ServiceServer lock2pl(Map<String, Object> ready) {
        int tableSize = LockTable.sizeFor(lockIds);
        ready.put("lock_table_entries", tableSize);
        return switch (backend) {
            case XDP -> new XdpServer(LockObjects.load(tableSize, XdpServer.interfaceMac(iface), allow), LockObjects.PROGRAM, iface,
                    LockObjects::check);
            case UDP -> new UdpServer(new LockTable(tableSize), Ipv4.parse(bind), Wire.PORT, threads, allow);
            case AFXDP -> new AfXdpServer(new LockTable(tableSize), iface, Wire.PORT, allow);
            case MEMCACHED -> throw new IllegalArgumentException("the memcached backend serves only --service kv");
        };
    }

    private ServiceServer occ(Map<String, Object> ready) {
        int tableSize = LockTable.sizeFor(keys);
        ready.put("occ_table_entries", tableSize);
        return switch (backend) {
            case XDP -> new XdpServer(OccObjects.load(tableSize, XdpServer.interfaceMac(iface), allow), OccObjects.PROGRAM, iface,
                    OccObjects::check);
            case UDP -> new UdpServer(new OccTable(tableSize), Ipv4.parse(bind), Wire.PORT, threads, allow);
            case AFXDP -> new AfXdpServer(new OccTable(tableSize), iface, Wire.PORT, allow);
            case MEMCACHED -> throw new IllegalArgumentException("the memcached backend serves only --service kv");
        };
    }

    private ServiceServer log(Map<String, Object> ready) {
        if (backend == Backend.MEMCACHED) {
            throw new IllegalArgumentException("the memcached backend serves only --service kv");
        }
        if (logFile == null) {
            throw new IllegalArgumentException("--service log needs --log FILE: the commit-log file to drain the rings to");
        }
        if (!ring.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("--ring must be 1-64 letters, digits, '_', '.' or '-', got '" + ring + "'");
        }
        LogRings.checkSlots(ringSlots);
        if (drainIdleUs < 0) {
            throw new IllegalArgumentException("--drain-idle-us must be >= 0, got " + drainIdleUs);
        }
        FsyncPolicy policy = new FsyncPolicy(Duration.ofMillis(fsyncMs), fsyncRecords);
        RingStorage storage;
        Function<LogRings, ServiceServer> front;
        if (backend == Backend.XDP) {
            Path pins = LogObjects.pinDir(ring);
            BpfObject obj = LogObjects.load(ringSlots, XdpServer.interfaceMac(iface), allow, pins);
            try {
                storage = LogObjects.rings(obj, pins);
            } catch (RuntimeException e) {
                obj.close();
                throw e;
            }
            front = rings -> new XdpServer(obj, LogObjects.PROGRAM, iface, o -> Map.of());
        } else if (backend == Backend.AFXDP) {
            storage = ShmRings.open(ShmRings.path(ring), 1, ringSlots); // one busy-polling thread, one ring
            front = rings -> new AfXdpServer(new LogService(rings), iface, Wire.PORT, allow);
        } else {
            storage = ShmRings.open(ShmRings.path(ring), threads, ringSlots);
            front = rings -> new UdpServer(new LogService(rings), Ipv4.parse(bind), Wire.PORT, threads, allow);
        }
        LogFile file;
        try {
            file = LogFile.open(logFile);
        } catch (RuntimeException e) {
            storage.close(false);
            throw e;
        }
        ready.put("log_file", file.path().toString());
        ready.put("file_records_at_start", file.recoveredRecords());
        ready.put("torn_bytes_cut", file.truncatedBytes());
        ready.put("rings", storage.location());
        LogServer server = new LogServer(storage, file, policy, drainIdleUs * 1000, front);
        ready.put("recovered_records", server.recovered());
        return server;
    }
}
