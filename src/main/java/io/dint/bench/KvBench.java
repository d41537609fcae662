package io.dint.bench;

import io.dint.backend.Backend;
import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.cluster.Host;
import io.dint.kv.KvClient;
import io.dint.kv.KvDataSet;
import io.dint.kv.KvPolicy;
import io.dint.kv.KvTrace;
import io.dint.kv.MemcachedClient;
import io.dint.server.ServerHandle;
import io.dint.wire.Op;
import io.dint.wire.Wire;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./dint bench kv}: the paper's KV microbenchmark — TATP CALL_FORWARDING keys (all 12 per
 * subscriber exist), subscribers by NURand, 40-byte values — in one of its two mixes, "parallel"
 * (100% GET) or "contention" (80% GET, 20% SET), against the KV store's backends and memcached.
 * For the XDP backend each point also reports the share of requests that took the slow path.
 */
public final class KvBench implements MicroBench.Workload {
    static final int TRACE_LENGTH = 1 << 20;

    private final KvTrace.Mix mix;
    private final long subscribers;
    private final double cacheRatio;
    private final KvPolicy policy;
    private final int serverThreads;
    private final KvTrace trace;
    private final Map<String, Double> slowShare = new LinkedHashMap<>();

    public KvBench(KvTrace.Mix mix, long subscribers, double cacheRatio, KvPolicy policy, int serverThreads) {
        new KvDataSet(subscribers, KvDataSet.Population.ALL, 42); // checks the count
        this.mix = mix;
        this.subscribers = subscribers;
        this.cacheRatio = cacheRatio;
        this.policy = policy;
        this.serverThreads = serverThreads;
        this.trace = KvTrace.generate(subscribers, mix.getFraction(), TRACE_LENGTH, 7);
    }

    @Override
    public String name() {
        return "kv-" + mix.id();
    }

    @Override
    public Map<String, Object> scale() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("subscribers", subscribers);
        s.put("keys", subscribers * KvDataSet.KEYS_PER_SUBSCRIBER);
        s.put("keys_exist", "all");
        s.put("value_bytes", Wire.KV_VALUE_SIZE);
        s.put("mix", mix.id());
        s.put("get_fraction", mix.getFraction());
        s.put("cache_slots_per_key", cacheRatio);
        s.put("cache_policy", policy.id());
        s.put("server_threads", serverThreads);
        return s;
    }

    /**
     * How long a KV server may take to load {@code keys} keys and announce READY: a minute and a
     * second per 50,000 keys (the xdp server writes its cache bucket by bucket; 24M keys took about
     * four minutes on a busy 2-vCPU machine).
     */
    static Duration startTimeout(long keys) {
        return Duration.ofSeconds(60 + keys / 50_000);
    }

    @Override
    public Duration startTimeout() {
        return startTimeout(subscribers * KvDataSet.KEYS_PER_SUBSCRIBER);
    }

    @Override
    public List<String> serveArgs(Backend backend) {
        return List.of("--service", "kv", "--backend", backend.id(), "--subscribers", Long.toString(subscribers),
                "--population", "all", "--cache-ratio", Double.toString(cacheRatio), "--cache", policy.id(),
                "--threads", Integer.toString(serverThreads));
    }

    @Override
    public LoadLoop client(Transport transport, ClientStats stats, int index, MicroBench.Shape shape, Host server) {
        return client(Backend.XDP, transport, stats, index, shape, server);
    }

    @Override
    public LoadLoop client(Backend backend, Transport transport, ClientStats stats, int index, MicroBench.Shape shape, Host server) {
        int offset = index * (trace.length() / shape.threads());
        if (backend == Backend.MEMCACHED) {
            return new MemcachedClient(transport, stats, trace, server.ipv4(), shape.inflight(), offset, MicroBench.clientTimeoutNanos(), 0);
        }
        return new KvClient(transport, stats, trace, index + 1, server.ipv4(), Wire.PORT, shape.inflight(), offset,
                MicroBench.clientTimeoutNanos(), 0);
    }

    /** Requests the XDP backend passed to user space, of those it took: Δkv_slow / (Δtx + Δkv_slow). */
    static double slowPathShare(LoadRunner.Measurement m) {
        return io.dint.server.ServerMetrics.slowPathShare(m.serverDelta("kv_slow"), m.serverDelta("tx"));
    }

    @Override
    public String measured(Backend backend, MicroBench.Shape shape, LoadRunner.Measurement m) {
        if (backend != Backend.XDP) {
            return "";
        }
        double share = slowPathShare(m);
        slowShare.put(shape.threads() + "x" + shape.inflight(), share);
        return String.format(Locale.ROOT, "  slow path %5.2f%%", 100 * share);
    }

    @Override
    public void check(Backend backend, ServerHandle server, BenchReport report) {
        report.check(backend.id(), server.check(), "ok", "the KV server's end-of-run check failed");
    }

    /** The KV figures beyond the common ones: slow-path share and the memcached ratio. */
    @Override
    public MicroBench.KernelLoad kernelLoad(Backend backend) {
        if (backend == Backend.MEMCACHED) {
            return null; // the kernel client speaks DINT's protocol only
        }
        return new MicroBench.KernelLoad(KernelClient.Service.KV, kernelTrace(trace));
    }

    /** A KV trace as the kernel client reads it: one key per "transaction", SETs marked exclusive. */
    static KernelClient.Trace kernelTrace(KvTrace trace) {
        return new KernelClient.Trace() {
            @Override
            public int length() {
                return trace.length();
            }

            @Override
            public int keys(int txn) {
                return 1;
            }

            @Override
            public long key(int txn, int i) {
                return trace.key(txn);
            }

            @Override
            public boolean exclusive(int txn, int i) {
                return trace.op(txn) == Op.KV_SET;
            }
        };
    }

    public void addFigures(BenchReport report) {
        if (!report.points("xdp").isEmpty()) {
            LoadPoint best = report.best("xdp");
            Double share = slowShare.get(best.clientThreads() + "x" + best.inflightPerThread());
            report.addFigure("xdp", "slow_path_share", share == null ? Double.NaN : share);
            report.details().put("xdp_slow_path_share_by_point", slowShare);
            if (!report.points("memcached").isEmpty()) {
                report.addFigure("ratio_memcached", "requests_per_s", best.repliesPerS() / report.best("memcached").repliesPerS());
                report.addFigure("ratio_memcached", "unloaded_p50", report.unloaded("xdp").p50Us() / report.unloaded("memcached").p50Us());
            }
        }
    }
}
