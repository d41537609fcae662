package io.dint.cli;

import io.dint.kv.KvDataSet;
import io.dint.kv.KvPolicy;
import io.dint.kv.KvService;
import io.dint.kv.KvStore;
import io.dint.kv.KvXdpServer;
import io.dint.kv.MemcachedServer;
import io.dint.lock.LockObjects;
import io.dint.lock.LockTable;
import io.dint.net.Ipv4;
import io.dint.server.ServerControl;
import io.dint.server.ServiceServer;
import io.dint.server.UdpServer;
import io.dint.server.XdpServer;
import io.dint.wire.Wire;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs one service on this host with the chosen backend, controlled over stdin/stdout. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a DINT service on this host (the local cluster runs one per server namespace).")
final class ServeCommand implements Callable<Integer> {
    enum Service { lock2pl, kv }

    @Option(names = "--service", required = true, description = "Service: ${COMPLETION-CANDIDATES}.")
    Service service;

    @Option(names = "--backend", defaultValue = "xdp", description = "xdp (in-kernel fast path), udp (Java over kernel UDP) or, for kv, memcached (Debian's, UDP on). Default: ${DEFAULT-VALUE}.",
            converter = BackendConverter.class)
    Backend backend;

    @Option(names = "--iface", defaultValue = "eth0", description = "Interface the XDP program attaches to. Default: ${DEFAULT-VALUE}.")
    String iface;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "IPv4 address the UDP backend binds. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--threads", defaultValue = "2", description = "Server threads of the UDP backend (and of the KV slow path). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--lock-ids", defaultValue = "1000000", description = "Distinct lock ids; the table holds 1.5x as many entries. Default: ${DEFAULT-VALUE}.")
    long lockIds;

    @Option(names = "--subscribers", defaultValue = "100000",
            description = "KV: TATP subscribers whose 12 CALL_FORWARDING keys make the data set (paper: 2000000). Default: ${DEFAULT-VALUE}.")
    long subscribers;

    @Option(names = "--population", defaultValue = "all",
            description = "KV: which keys exist: all, or tatp (TATP's steady state, 31%%). Default: ${DEFAULT-VALUE}.")
    String population;

    @Option(names = "--cache", defaultValue = "write-back-bloom",
            description = "KV: cache policy: write-back-bloom, write-back or write-through. Default: ${DEFAULT-VALUE}.")
    String cache;

    @Option(names = "--cache-ratio", defaultValue = "1.5",
            description = "KV: kernel cache slots per key (paper: 1.5); both sides have slots/4 buckets. Default: ${DEFAULT-VALUE}.")
    double cacheRatio;

    @Option(names = "--lease-ms", defaultValue = "20",
            description = "KV: a bucket locked for a slow-path request longer than this may be taken over. Default: ${DEFAULT-VALUE}.")
    double leaseMs;

    @Option(names = "--seed", defaultValue = "42", description = "KV: seed of the TATP population. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--drop-slow-replies", defaultValue = "0", hidden = true,
            description = "KV testing: the slow path drops this many replies, as if lost.")
    int dropSlowReplies;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("service", service.name());
        ready.put("backend", backend.id());
        ServiceServer server = switch (service) {
            case lock2pl -> lock2pl(ready);
            case kv -> kv(ready);
        };
        ready.put("pid", ProcessHandle.current().pid());
        ServerControl.run(server, ready);
        return 0;
    }

    private ServiceServer kv(Map<String, Object> ready) {
        KvPolicy policy = KvPolicy.parse(cache);
        KvDataSet data = new KvDataSet(subscribers, KvDataSet.Population.parse(population), seed);
        if (!(leaseMs > 0)) {
            throw new IllegalArgumentException("--lease-ms must be positive, got " + leaseMs);
        }
        KvStore.bucketsFor(data.universe(), cacheRatio); // checks --cache-ratio before the data set is built
        if (backend == Backend.MEMCACHED) {
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
                yield new KvXdpServer(store, policy, Math.round(leaseMs * 1e6), iface, threads, dropSlowReplies);
            }
            case UDP -> new UdpServer(new KvService(store), Ipv4.parse(bind), Wire.PORT, threads);
            case MEMCACHED -> throw new IllegalStateException("unreachable: handled above");
        };
    }

    private ServiceServer lock2pl(Map<String, Object> ready) {
        int tableSize = LockTable.sizeFor(lockIds);
        ready.put("lock_table_entries", tableSize);
        return switch (backend) {
            case XDP -> new XdpServer(LockObjects.load(tableSize, XdpServer.interfaceMac(iface)), LockObjects.PROGRAM, iface, LockObjects::check);
            case UDP -> new UdpServer(new LockTable(tableSize), Ipv4.parse(bind), Wire.PORT, threads);
            case MEMCACHED -> throw new IllegalArgumentException("the memcached backend serves only --service kv");
        };
    }
}
