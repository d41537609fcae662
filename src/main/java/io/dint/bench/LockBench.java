package io.dint.bench;

import io.dint.client.ClientStats;
import io.dint.client.UdpTransport;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.lock.LockClient;
import io.dint.lock.LockTrace;
import io.dint.server.ServerProcess;
import io.dint.wire.Wire;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code ./dint bench lock2pl}: the 2PL lock service on one server host, driven by lock
 * transactions from client threads in a client host, against each backend in one run. Each
 * backend is swept over client threads x transactions in flight; the first point (one thread,
 * one transaction in flight) gives the unloaded latency, the best point the throughput.
 */
public final class LockBench {
    /** Client shape of one sweep point. */
    public record Shape(int threads, int inflight) {
        public static Shape parse(String s) {
            String[] p = s.split("x");
            if (p.length != 2) {
                throw new IllegalArgumentException("sweep point '" + s + "' must look like THREADSxINFLIGHT, e.g. 1x32");
            }
            return new Shape(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
        }
    }

    public record Config(List<String> backends, List<Shape> sweep, long lockIds, int traceTransactions,
                        Duration warmup, Duration window, int serverThreads) {}

    private final Config config;
    private final PrintStream out;

    public LockBench(Config config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    public BenchReport run() throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(config.lockIds(), config.traceTransactions(), 42));
        BenchReport report = new BenchReport("lock2pl");
        report.scale().put("lock_ids", config.lockIds());
        report.scale().put("shared_fraction", 0.8);
        report.scale().put("locks_per_txn", "5-10");
        report.scale().put("server_hosts", 1);
        report.scale().put("udp_server_threads", config.serverThreads());
        report.scale().put("client", "kernel UDP socket, sendmmsg/recvmmsg");
        try (LocalCluster cluster = LocalCluster.create(1, 1)) {
            Host server = cluster.servers().getFirst();
            Host client = cluster.clients().getFirst();
            for (String backend : config.backends()) {
                List<String> args = List.of("io.dint.cli.Main", "serve", "--service", "lock2pl",
                        "--backend", backend, "--lock-ids", Long.toString(config.lockIds()),
                        "--threads", Integer.toString(config.serverThreads()));
                try (ServerProcess proc = new ServerProcess(cluster.start(server, args), Duration.ofSeconds(60))) {
                    for (Shape shape : config.sweep()) {
                        LoadPoint p = measure(backend, shape, trace, server, client, proc);
                        report.add(p);
                        out.printf("  %-4s %2d thr x %3d in flight: %9.0f req/s  %8.0f txn/s  p50 %6.1f us  p99 %7.1f us  cpu %5.2f us/req  xdp %5.0f ns/req%n",
                                backend, shape.threads(), shape.inflight(), p.requestsPerS(), p.txnPerS(), p.p50Us(), p.p99Us(),
                                p.machineCpuUsPerRequest(), p.xdpNsPerRequest());
                    }
                    Map<String, Object> check = proc.check();
                    report.checks().put(backend, check);
                    if (!Boolean.TRUE.equals(check.get("all_free"))) {
                        report.fail(backend + ": locks still held after the run: " + check);
                    }
                    report.serverStats().put(backend, proc.stats());
                }
            }
        }
        return report;
    }

    private LoadPoint measure(String backend, Shape shape, LockTrace trace, Host server, Host client,
                              ServerProcess proc) throws InterruptedException {
        LoadRunner.Measurement m = LoadRunner.run(client.netns(), shape.threads(), (index, stats) -> {
            UdpTransport transport = new UdpTransport(client.ipv4(), Math.min(64, shape.inflight()), 256);
            return new LockClient(transport, stats, trace, index + 1, server.ipv4(), Wire.PORT,
                    shape.inflight(), index * (trace.transactions() / Math.max(1, shape.threads())),
                    20_000_000L, 0);
        }, config.warmup(), config.window(), proc::stats);
        return toPoint(backend, shape, m);
    }

    static LoadPoint toPoint(String backend, Shape shape, LoadRunner.Measurement m) {
        double s = m.seconds();
        long requests = m.counter(ClientStats.REQUESTS);
        long replies = m.counter(ClientStats.REPLIES);
        long committed = m.counter(ClientStats.COMMITTED);
        long aborted = m.counter(ClientStats.ABORTED);
        long xdpRuns = m.serverDelta("xdp_run_count");
        double xdpNs = xdpRuns > 0 ? (double) m.serverDelta("xdp_run_time_ns") / xdpRuns : Double.NaN;
        return new LoadPoint(backend, shape.threads(), shape.inflight(), s,
                requests / s, replies / s, committed / s, m.counter(ClientStats.GOOD_REQUESTS) / s,
                committed + aborted == 0 ? 0 : (double) aborted / (committed + aborted),
                m.requestLatency().getValueAtPercentile(50) / 1e3,
                m.requestLatency().getValueAtPercentile(99) / 1e3,
                m.requestLatency().getValueAtPercentile(99.9) / 1e3,
                m.txnLatency().getValueAtPercentile(50) / 1e3,
                m.txnLatency().getValueAtPercentile(99) / 1e3,
                replies == 0 ? Double.NaN : (double) m.machine().busyMicros() / replies,
                replies == 0 ? Double.NaN : m.clientCpuNanos() / 1e3 / replies,
                m.machine().busyMicros() == 0 ? 0 : m.clientCpuNanos() / 1e3 / m.machine().busyMicros(),
                m.machine().totalMicros() == 0 ? 0 : (double) m.machine().busyMicros() / m.machine().totalMicros(),
                xdpNs,
                m.counter(ClientStats.TIMEOUTS), m.counter(ClientStats.RETRIES), m.counter(ClientStats.STALE),
                m.counter(ClientStats.PROTOCOL_ERRORS));
    }
}
