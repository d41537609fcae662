package io.dint.bench;

import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.xsk.AfXdpTransport;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.server.ServerProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A service microbenchmark: one server host, one client host, each backend in turn serving the
 * same {@link Workload}, swept over client threads x requests (or transactions) in flight. The
 * first point of the sweep (one thread, one in flight) gives the unloaded latency, the best point
 * the throughput.
 */
public final class MicroBench {
    /** What is measured: the service a server runs and the client load against it. */
    public interface Workload {
        String name();

        /** The scale of the run, recorded with every result. */
        Map<String, Object> scale();

        /** Arguments of {@code dint serve} for a backend. */
        List<String> serveArgs(String backend);

        /** The load loop of client thread {@code index}, created inside that thread. */
        LoadLoop client(Transport transport, ClientStats stats, int index, Shape shape, Host server);

        /** As above for a given backend, for workloads whose clients speak a backend's own protocol. */
        default LoadLoop client(String backend, Transport transport, ClientStats stats, int index, Shape shape, Host server) {
            return client(transport, stats, index, shape, server);
        }

        /** Called with each measured point; returns text appended to its printed line. */
        default String measured(String backend, Shape shape, LoadRunner.Measurement m) {
            return "";
        }

        /** End-of-run checks on the server, recorded in the report (failures with {@code fail}). */
        default void check(String backend, ServerProcess server, BenchReport report) {
            report.checks().put(backend, server.check());
        }
    }

    /** Client shape of one sweep point. */
    public record Shape(int threads, int inflight) {
        public Shape {
            if (threads <= 0 || inflight <= 0) {
                throw new IllegalArgumentException("sweep point needs positive threads and in-flight count, got " + threads + "x" + inflight);
            }
        }

        public static Shape parse(String s) {
            String[] p = s.trim().split("x");
            try {
                if (p.length == 2) {
                    return new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new IllegalArgumentException("sweep point '" + s + "' must look like THREADSxINFLIGHT, e.g. 1x32");
        }
    }

    /** How the load generator talks to the servers. */
    public enum Client {
        /** Kernel UDP sockets, batched with sendmmsg/recvmmsg. */
        SOCKET("kernel UDP socket, sendmmsg/recvmmsg"),
        /** AF_XDP sockets in copy mode, frames built in Java: the kernel's IP and UDP stack bypassed. */
        AFXDP("AF_XDP socket (copy mode), Ethernet/IP/UDP built in Java");

        private final String description;

        Client(String description) {
            this.description = description;
        }

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public String description() {
            return description;
        }

        public Transport open(Host host, int batch) {
            return switch (this) {
                case SOCKET -> new UdpTransport(host.ipv4(), batch, 2048);
                case AFXDP -> AfXdpTransport.open(host.iface(), host.ipv4(), batch);
            };
        }
    }

    public record Config(List<String> backends, List<Shape> sweep, Duration warmup, Duration window, Client client) {
        /** The AF_XDP client. */
        public Config(List<String> backends, List<Shape> sweep, Duration warmup, Duration window) {
            this(backends, sweep, warmup, window, Client.AFXDP);
        }
    }

    private static final long CLIENT_TIMEOUT_NANOS = 20_000_000L;

    private MicroBench() {}

    public static BenchReport run(Workload workload, Config config, PrintStream out) throws Exception {
        BenchReport report = new BenchReport(workload.name());
        report.scale().putAll(workload.scale());
        report.scale().put("server_hosts", 1);
        report.scale().put("client", config.client().id());
        report.scale().put("client_transport", config.client().description());
        out.println("  client: " + config.client().id() + " (" + config.client().description() + ")");
        try (LocalCluster cluster = LocalCluster.create(1, 1)) {
            Host server = cluster.servers().getFirst();
            Host client = cluster.clients().getFirst();
            for (String backend : config.backends()) {
                try (ServerProcess proc = new ServerProcess(cluster.serve(server, workload.serveArgs(backend)), Duration.ofSeconds(60))) {
                    for (Shape shape : config.sweep()) {
                        LoadRunner.Measurement m = LoadRunner.run(client.netns(), shape.threads(), (index, stats) ->
                                closing(config.client().open(client, Math.min(64, shape.inflight())),
                                        t -> workload.client(backend, t, stats, index, shape, server)), config.warmup(), config.window(), proc::stats);
                        LoadPoint p = LoadPoint.of(backend, shape, m);
                        report.add(p);
                        out.printf("  %-9s %2d thr x %3d in flight: %9.0f req/s  %8.0f txn/s  p50 %6.1f us  p99 %7.1f us  cpu %5.2f us/req (client %5.2f us/req, %3.0f%%, user %4.2f)  xdp %4.0f ns/req  timeouts %d%s%n",
                                backend, shape.threads(), shape.inflight(), p.repliesPerS(), p.txnPerS(), p.p50Us(), p.p99Us(),
                                p.machineCpuUsPerRequest(), p.clientCpuUsPerRequest(), 100 * p.clientCpuShare(),
                                p.clientUserCpuUsPerRequest(), p.xdpNsPerRequest(), p.timeouts(), workload.measured(backend, shape, m));
                    }
                    workload.check(backend, proc, report);
                    report.serverStats().put(backend, proc.stats());
                }
            }
        }
        return report;
    }

    /** The loop {@code make} builds over {@code transport}, closing the transport when the loop ends. */
    static LoadLoop closing(Transport transport, java.util.function.Function<Transport, LoadLoop> make) {
        LoadLoop loop;
        try {
            loop = make.apply(transport);
        } catch (RuntimeException | Error e) {
            transport.close();
            throw e;
        }
        return new LoadLoop() {
            @Override
            public void run() {
                try (transport) {
                    loop.run();
                }
            }

            @Override
            public void stop() {
                loop.stop();
            }
        };
    }

    /** Timeout after which a client resends a request. */
    public static long clientTimeoutNanos() {
        return CLIENT_TIMEOUT_NANOS;
    }
}
