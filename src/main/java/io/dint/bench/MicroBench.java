package io.dint.bench;

import io.dint.backend.Backend;
import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.xsk.AfXdpTransport;
import io.dint.cluster.Host;
import io.dint.cluster.CoreSplit;
import io.dint.cluster.LocalCluster;
import io.dint.server.ServerHandle;
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
        List<String> serveArgs(Backend backend);

        /** The load loop of client thread {@code index}, created inside that thread. */
        LoadLoop client(Transport transport, ClientStats stats, int index, Shape shape, Host server);

        /** As above for a given backend, for workloads whose clients speak a backend's own protocol. */
        default LoadLoop client(Backend backend, Transport transport, ClientStats stats, int index, Shape shape, Host server) {
            return client(transport, stats, index, shape, server);
        }

        /** Called with each measured point; returns text appended to its printed line. */
        default String measured(Backend backend, Shape shape, LoadRunner.Measurement m) {
            return "";
        }

        /**
         * What the in-kernel load generator runs for this workload, or null when it cannot speak
         * the backend's protocol (memcached): that backend is then driven by the AF_XDP client.
         */
        default KernelLoad kernelLoad(Backend backend) {
            return null;
        }

        /** How long a server may take to load its data and announce READY. */
        default Duration startTimeout() {
            return Duration.ofSeconds(60);
        }

        /** End-of-run checks on the server, recorded in the report (failures with {@code fail}). */
        default void check(Backend backend, ServerHandle server, BenchReport report) {
            report.checks().put(backend.id(), server.check());
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

    /** The in-kernel load generator's service and trace for a workload. */
    public record KernelLoad(KernelClient.Service service, KernelClient.Trace trace) {}

    /** How the load generator talks to the servers. */
    public enum Client {
        /** The in-kernel closed loop (loadgen.bpf.c): each reply becomes the next request in XDP. */
        KERNEL("in-kernel closed loop (XDP on the client host, requests sent with XDP_TX)"),
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

        /** A Java transport of this kind; the kernel client has none, and Java loops under it run on AF_XDP. */
        public Transport open(Host host, int batch) {
            return switch (this) {
                case SOCKET -> new UdpTransport(host.ipv4(), batch, 2048);
                case AFXDP, KERNEL -> AfXdpTransport.open(host.iface(), host.ipv4(), batch);
            };
        }
    }

    /**
     * What a run compares: backends, the sweep, the window, the client, and the CPU split (null:
     * client and servers share every CPU).
     */
    public record Config(List<Backend> backends, List<Shape> sweep, Duration warmup, Duration window, Client client,
                         CoreSplit split) {
        /** The AF_XDP client, no split. */
        public Config(List<Backend> backends, List<Shape> sweep, Duration warmup, Duration window) {
            this(backends, sweep, warmup, window, Client.AFXDP, null);
        }

        public Config(List<Backend> backends, List<Shape> sweep, Duration warmup, Duration window, Client client) {
            this(backends, sweep, warmup, window, client, null);
        }

        /** Server CPUs a backend's capacity is divided by: the split's, else every CPU. */
        public int serverCpus() {
            return split == null ? CoreSplit.onlineCpus() : split.serverCpus().size();
        }
    }

    /** Backends whose servers busy-poll their core, so that busy time says nothing of their load. */
    static boolean busyPolls(String backend) {
        return backend.equals(Backend.AFXDP.id());
    }

    private static final long CLIENT_TIMEOUT_NANOS = 20_000_000L;
    /** Client id of the kernel client: its own dedup window on the servers, apart from Java clients' 1..n. */
    static final int KERNEL_CLIENT_ID = 200;

    private MicroBench() {}

    public static BenchReport run(Workload workload, Config config, PrintStream out) throws Exception {
        return run(workload, config, null, out);
    }

    /**
     * As {@link #run(Workload, Config, PrintStream)}; with a {@code deployment} (not null) against
     * its first server, started elsewhere with the deployment's one backend, instead of a local
     * cluster's.
     */
    public static BenchReport run(Workload workload, Config config, Deployment deployment, PrintStream out) throws Exception {
        BenchReport report = new BenchReport(workload.name());
        report.scale().putAll(workload.scale());
        report.scale().put("server_hosts", 1);
        report.scale().put("client", config.client().id());
        report.scale().put("client_transport", config.client().description());
        out.println("  client: " + config.client().id() + " (" + config.client().description() + ")");
        CoreSplit split = config.split();
        report.scale().put("server_cpus", config.serverCpus());
        report.scale().put("core_split", split == null ? "none: client and server share every CPU" : split.describe());
        report.scale().put("unloaded_latency", split == null ? "one request in flight"
                : "one request in flight, NAPI polls in softirq on the sending CPU (not threaded): no thread wake-up per hop");
        if (split != null) {
            out.println("  cores: server CPUs " + split.serverList() + ", client CPUs and wire " + split.clientList()
                    + " (threaded NAPI)");
        }
        if (deployment != null) {
            report.scale().put("deployment", deployment.describe());
        }
        try (LocalCluster cluster = deployment != null ? null : LocalCluster.create(1, 1, split);
             AutoCloseable _ = split == null ? () -> { } : split.pinThisProcessToClients()) {
            Host server = deployment != null ? deployment.servers().getFirst() : cluster.servers().getFirst();
            Host client = deployment != null ? deployment.client() : cluster.clients().getFirst();
            for (Backend kind : config.backends()) {
                String backend = kind.id();
                KernelLoad kernel = config.client() == Client.KERNEL ? workload.kernelLoad(kind) : null;
                if (config.client() == Client.KERNEL && kernel == null) {
                    out.println("  " + backend + ": the kernel client does not speak its protocol; driven by the AF_XDP client");
                    report.details().put(backend + "_client", Client.AFXDP.id());
                }
                try (ServerHandle proc = deployment != null ? deployment.server(0, kind)
                        : new ServerProcess(cluster.serve(server, workload.serveArgs(kind)), workload.startTimeout())) {
                    for (Shape shape : config.sweep()) {
                        Progress.point(out, backend, shape.threads() + "x" + shape.inflight());
                        boolean unloaded = split != null && shape.threads() * shape.inflight() == 1;
                        if (unloaded) {
                            cluster.threadedNapi(false); // see the report's scale: unloaded_latency
                        }
                        LoadRunner.Measurement m;
                        if (kernel != null) {
                            try (KernelClient k = KernelClient.start(kernel.service(), shape.threads() * shape.inflight(),
                                    CLIENT_TIMEOUT_NANOS, client, server, kernel.trace(), KERNEL_CLIENT_ID)) {
                                m = LoadRunner.run(k, config.warmup(), config.window(), proc::stats, cluster);
                            }
                        } else {
                            m = LoadRunner.run(client.netns(), shape.threads(), (index, stats) ->
                                    closing(config.client().open(client, Math.min(64, shape.inflight())),
                                            t -> workload.client(kind, t, stats, index, shape, server)),
                                    config.warmup(), config.window(), proc::stats, cluster);
                        }
                        if (unloaded) {
                            cluster.threadedNapi(true);
                        }
                        LoadPoint p = LoadPoint.of(backend, shape, m);
                        report.add(p);
                        out.printf("  %-9s %2d thr x %4d in flight: %9.0f req/s  %8.0f txn/s  p50 %6.1f us  p99 %7.1f us"
                                        + "  server %5.2f us/req (%3.0f%%)  client %5.2f us/req (%3.0f%%)  wall %-6s  xdp %4.0f ns/req"
                                        + "  timeouts %d%s%n",
                                backend, shape.threads(), shape.inflight(), p.repliesPerS(), p.txnPerS(), p.p50Us(), p.p99Us(),
                                p.serverCoreUsPerRequest(), 100 * p.serverCoreBusyShare(), p.clientCoreUsPerRequest(),
                                100 * p.clientCoreBusyShare(), p.wall(), p.xdpNsPerRequest(), p.timeouts(),
                                workload.measured(kind, shape, m));
                    }
                    workload.check(kind, proc, report);
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
