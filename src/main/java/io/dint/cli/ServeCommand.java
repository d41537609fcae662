package io.dint.cli;

import io.dint.backend.Backend;
import io.dint.backend.Frontend;
import io.dint.cluster.ClusterFile;
import io.dint.cluster.CoreSplit;
import io.dint.kv.KvServers;
import io.dint.lock.LockServers;
import io.dint.log.LogServers;
import io.dint.occ.OccServers;
import io.dint.server.ControlEndpoint;
import io.dint.server.ServerControl;
import io.dint.server.ServiceServer;
import io.dint.shard.ShardServers;
import io.dint.shard.ShardSettings;
import io.dint.txn.TxnWorkload;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs one service on this host with the chosen backend, controlled over stdin/stdout and, with
 * {@code --control} (or {@code --cluster}), over HTTP.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, defaultValueProvider = CommandDefaults.class,
        header = "Serve one DINT service on this host (one per server of a cluster).",
        description = "Serve a DINT service on this host (the local cluster runs one per server namespace).")
final class ServeCommand implements Callable<Integer> {
    enum Service { lock2pl, occ, log, kv, smallbank, tatp }

    @Option(names = "--service", description = "Service: ${COMPLETION-CANDIDATES}. Required unless --cluster gives it.")
    Service service;

    @Mixin
    ClusterHost cluster = new ClusterHost();

    @Option(names = "--control", paramLabel = "ADDR:PORT", description = "Serve the control endpoint (HTTP: /ready, /stats,"
            + " /check as JSON, /metrics for Prometheus) on this address. Default: none (with --cluster: the host's control).")
    String control;

    @Option(names = "--cpus", paramLabel = "LIST", description = "Run this server on these CPUs only (e.g. 2-7). Default: every CPU.")
    String cpus;

    @Spec
    CommandSpec spec;

    @Mixin
    ServeOptions.Network network = new ServeOptions.Network();

    @Mixin
    ServeOptions.DataSets data = new ServeOptions.DataSets();

    @Mixin
    ServeOptions.SlowPath slowPath = new ServeOptions.SlowPath();

    @Mixin
    ServeOptions.Log log = new ServeOptions.Log();

    @Mixin
    ServeOptions.Recovery recovery = new ServeOptions.Recovery();

    @Override
    public Integer call() throws Exception {
        if (cluster.file != null) {
            return fromClusterFile();
        }
        if (cluster.name != null) {
            throw new IllegalArgumentException("--host names this host in a cluster file: give --cluster FILE too");
        }
        if (service == null) {
            throw new IllegalArgumentException("which service? give --service (" + Arrays.toString(Service.values())
                    + "), or --cluster FILE --host NAME");
        }
        if (cpus != null) {
            CoreSplit.pinThisProcess(cpus);
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
        ClusterFile file = ClusterFile.read(cluster.file);
        String host = cluster.name;
        if (host == null) {
            throw new IllegalArgumentException("--cluster needs --host NAME: which server of " + cluster.file + " this is ("
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
            throw new IllegalArgumentException("cluster file " + cluster.file + ", host " + host + ": " + e.getMessage()
                    + " (from `serve " + String.join(" ", args) + "`)", e);
        }
        System.err.println("dint: " + host + " serves " + resolved.service + " on " + resolved.network.backend().id() + ", interface "
                + resolved.network.iface + " (" + me.address() + "), control endpoint http://" + resolved.control + "/");
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
        Frontend front = network.frontend();
        if (front.backend() == Backend.MEMCACHED && service != Service.kv) {
            throw new IllegalArgumentException("the memcached backend serves only --service kv");
        }
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("service", service.name());
        ready.put("backend", front.backend().id());
        ready.put("allow", front.allow().toString());
        ServiceServer server = switch (service) {
            case lock2pl -> LockServers.create(front, data.lockIds.count, ready);
            case occ -> OccServers.create(front, data.keys, ready);
            case log -> LogServers.create(front, log.settings(true), ready);
            case kv -> KvServers.create(front, slowPath.kv(data), ready);
            case smallbank -> shard(new SmallbankWorkload(data.size.accounts), front, ready);
            case tatp -> shard(new TatpWorkload(data.size.subscribers, data.seed), front, ready);
        };
        ready.put("pid", ProcessHandle.current().pid());
        ServerControl.run(server, ready, endpoint);
    }

    /** A transaction shard of {@code workload}: its records, its locks and its commit log (see {@link ShardServers}). */
    private ServiceServer shard(TxnWorkload workload, Frontend front, Map<String, Object> ready) {
        ready.put("records", workload.records());
        ready.putAll(workload.scale());
        ShardSettings settings = recovery.shard(workload.records(), workload::parentKey, front.backend(), slowPath, log);
        return ShardServers.create(front, settings, ready);
    }
}
