package io.dint.cluster;

import io.dint.bpf.BpfFs;
import io.dint.net.Ipv4;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cluster of hosts on this machine: one network namespace per host, all joined by a Linux bridge.
 * The parts do one job each: {@link Topology} (hosts, bridge, veths, addresses), {@link Namespaces}
 * (made, set up, deleted), {@link BridgePorts} (the XDP program on the bridge ports),
 * {@link NapiThreads} (with a {@link CoreSplit}), {@link ChildProcesses} and {@link ReadyLine} (JVMs
 * on the hosts), and {@link Leftovers} (what a dead run left behind).
 *
 * <p>Namespaces are {@code dint-<tag>-s0..}, {@code dint-<tag>-c0..} and {@code dint-<tag>-br}, where
 * the tag is the creating process's pid in base 36, a dot and a counter; {@link #cleanLeftovers()}
 * reads the pid back to find namespaces of runs that died without closing. Each host has {@code eth0}
 * with {@code 10.231.0.x/24} (servers from {@code .1}, clients from {@code .101}). The other end of
 * each host's veth pair is a bridge port named after the host ({@code s0}, {@code c0}) and runs an
 * XDP_PASS program in native mode, because native XDP_TX on a veth is dropped unless its peer has an
 * XDP program.
 *
 * <p>Needs root and {@code ip} (iproute2). A JVM shutdown hook closes clusters still open.
 */
public final class LocalCluster implements AutoCloseable {
    /** Every cluster's subnet, 10.231.0.0/24 (host order). */
    public static final int SUBNET = Topology.SUBNET;
    public static final int PREFIX_LENGTH = Topology.PREFIX_LENGTH;
    public static final String IFACE = Topology.IFACE;
    private static final Set<LocalCluster> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(LocalCluster::closeAllOnExit, "dint-cluster-teardown"));
    }

    private final Topology topology;
    private final CoreSplit split;
    private final Namespaces namespaces = new Namespaces();
    private final ChildProcesses children;
    private final NapiThreads napi;
    private volatile BridgePorts ports;
    private volatile boolean closed;

    private LocalCluster(Topology topology, CoreSplit split) {
        this.topology = topology;
        this.split = split;
        this.children = new ChildProcesses(topology.tag());
        this.napi = split == null ? null : new NapiThreads(topology, split);
    }

    /**
     * Builds a cluster of {@code servers} server hosts and {@code clients} client hosts. On failure
     * everything made so far is removed and the exception says which command failed and why.
     */
    public static LocalCluster create(int servers, int clients) {
        return create(servers, clients, null);
    }

    /**
     * As {@link #create(int, int)}, with server and client hosts on their own CPUs when {@code split}
     * is not null: every host interface receives in NAPI (GRO on), every bridge port runs the XDP
     * switch ({@link BridgePorts#forwarding}) instead of XDP_PASS, all of them poll in NAPI kernel
     * threads pinned to the server CPUs (server interfaces) or the client CPUs (client interfaces and
     * bridge ports), and {@link #start} runs server hosts' processes on the server CPUs and client
     * hosts' on the client CPUs.
     */
    public static LocalCluster create(int servers, int clients, CoreSplit split) {
        LocalCluster c = new LocalCluster(new Topology(Leftovers.newTag(), servers, clients), split);
        OPEN.add(c);
        try {
            c.build();
        } catch (RuntimeException | Error e) {
            try {
                c.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return c;
    }

    private void build() {
        BpfFs.shareWithNamespaces(); // before any ip netns exec: pins must outlive server processes
        topology.namespaces().forEach(namespaces::add);
        namespaces.quieten(topology.bridgeNs());
        topology.wire();
        if (split == null) {
            ports = BridgePorts.pass(topology);
            return;
        }
        napi.receiveInNapi(); // before the switch: it goes on the ports once the hosts' interfaces receive in NAPI
        ports = BridgePorts.forwarding(topology);
        napi.threaded(true);
    }

    /**
     * With a split: moves every NAPI poll back into softirq on the CPU that scheduled it ({@code
     * false}) — a request is then served on the way of its sender, without waking a thread on each
     * hop, which is how an unloaded latency is measured — or into pinned threads again ({@code true}).
     */
    public void threadedNapi(boolean on) {
        if (napi == null) {
            throw new IllegalStateException("cluster " + tag() + " has no core split: its NAPI polls are never threaded");
        }
        napi.threaded(on);
    }

    /**
     * The tasks doing the servers' work ({@code servers}) or the clients' and the wire's: the NAPI
     * threads of their interfaces (and, for clients, of the bridge ports) and the processes
     * {@link #start}ed on those hosts with their descendants. Without a split there are no NAPI
     * threads, only the processes.
     */
    public List<Long> tasks(boolean servers) {
        List<Long> pids = new ArrayList<>(napi == null ? List.of() : napi.threads(servers));
        pids.addAll(children.pids(h -> topology.isServer(h) == servers));
        return pids;
    }

    /** The CPU split of this cluster, or null when its hosts share every CPU. */
    public CoreSplit split() {
        return split;
    }

    /**
     * This cluster as a cluster file running {@code service}: every host with its namespace,
     * address, interface and MAC, the split's CPUs when there is one, and for servers the control
     * endpoint at their address on {@link ClusterFile#CONTROL_PORT}. What {@code dint serve
     * --cluster FILE --host sN} run in a server's namespace, and {@code dint bench|example --cluster
     * FILE} on the client, read.
     */
    public ClusterFile describe(ClusterFile.Service service) {
        List<ClusterFile.Entry> entries = new ArrayList<>();
        for (Host h : hosts()) {
            boolean server = topology.isServer(h);
            entries.add(new ClusterFile.Entry(h.name(), server ? ClusterFile.Role.SERVER : ClusterFile.Role.CLIENT, h.ipv4(),
                    h.iface(), h.mac(), split == null ? null : split.list(server),
                    server ? new InetSocketAddress(h.address(), ClusterFile.CONTROL_PORT) : null, h.netns()));
        }
        return new ClusterFile("local cluster " + tag(), service, entries);
    }

    /** The namespace holding the bridge and the far ends of the hosts' veths. */
    public String bridgeNetns() {
        return topology.bridgeNs();
    }

    /** The bridge-side veth of {@code host}, in {@link #bridgeNetns()}. */
    public String bridgePort(Host host) {
        return topology.bridgePort(host);
    }

    /** Where {@link #start} puts the children's stderr. */
    public Path logDir() {
        return children.logDir();
    }

    /**
     * Starts a JVM in {@code host}'s namespace: {@code ip netns exec <ns> <this java>
     * --enable-native-access=ALL-UNNAMED -cp <classpath> <javaArgs...>}, so {@code javaArgs} may begin
     * with JVM options and must name the main class. The classpath is {@code dint.classpath}, else this
     * JVM's. Its stdout is the returned process's input stream (see {@link #awaitLine}); its stderr goes
     * to a file in {@link #logDir()}. {@link #close()} kills it.
     */
    public Process start(Host host, List<String> javaArgs) {
        requireOpen();
        return children.start(host, split == null ? null : split.list(topology.isServer(host)), javaArgs);
    }

    /**
     * The main class of the command line, which {@link #startDint} runs. Named here as a string
     * because this package may not use the command line's (the command line uses this one);
     * {@code MainClassTest} holds it to {@code io.dint.cli.Main} and to the {@code dint} launcher.
     */
    public static final String MAIN_CLASS = "io.dint.cli.Main";

    /** Starts {@code dint ARGS...} in {@code host}'s namespace: {@link #start} with {@link #MAIN_CLASS} and {@code args}. */
    public Process startDint(Host host, List<String> args) {
        List<String> javaArgs = new ArrayList<>(args.size() + 1);
        javaArgs.add(MAIN_CLASS);
        javaArgs.addAll(args);
        return start(host, javaArgs);
    }

    /** The cluster's subnet as a prefix, {@code 10.231.0.0/24}: the clients every server it starts allows. */
    public static String subnetPrefix() {
        return Ipv4.format(SUBNET) + "/" + PREFIX_LENGTH;
    }

    /**
     * Starts {@code dint serve OPTIONS... --allow <the cluster's subnet>} in {@code host}'s namespace
     * (see {@link #start}): a server of the cluster answers its hosts only. The memcached backend,
     * which has no allowlist, is started without.
     */
    public Process serve(Host host, List<String> serveOptions) {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(serveOptions);
        int backend = serveOptions.indexOf("--backend");
        if (backend < 0 || backend + 1 == serveOptions.size() || !serveOptions.get(backend + 1).equals("memcached")) {
            args.addAll(List.of("--allow", subnetPrefix()));
        }
        return startDint(host, args);
    }

    /**
     * Runs a short command in {@code host}'s namespace ({@code ip netns exec}) and returns its stdout;
     * throws with its stderr when it exits non-zero. Bounded to 30 s.
     */
    public String exec(Host host, String... command) {
        requireOpen();
        List<String> cmd = new ArrayList<>(List.of(IpCommand.IP, "netns", "exec", host.netns()));
        cmd.addAll(List.of(command));
        return IpCommand.run(cmd, null);
    }

    /**
     * Reads {@code p}'s stdout up to and including the first line that starts with {@code prefix} and
     * returns that line. Throws, quoting the last lines of stdout and of the stderr log, when the process
     * exits first or {@code timeout} passes. Reads byte by byte, so nothing after the line is consumed;
     * after a timeout a reader is still waiting on the stream, so do not read it further.
     */
    public static String awaitLine(Process p, String prefix, Duration timeout) {
        return ReadyLine.await(p, prefix, timeout);
    }

    /**
     * Detaches the bridge ports' programs, kills the processes this cluster started, then deletes its
     * namespaces (and with them its veths, bridge and NAPI threads).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ports != null) {
            ports.close();
        }
        children.stopAll();
        List<String> failures = new ArrayList<>();
        for (String ns : namespaces.created()) {
            try {
                Namespaces.delete(ns);
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        OPEN.remove(this);
        if (!failures.isEmpty()) {
            throw new IllegalStateException("cluster " + tag() + " left namespaces behind: " + String.join("; ", failures));
        }
    }

    /**
     * Deletes {@code dint-<pid>.*} namespaces whose creating process is gone (and kills what still runs in
     * them). Namespaces of live processes, including other runs in progress, are left alone.
     *
     * @return how many namespaces were deleted
     */
    public static int cleanLeftovers() {
        return Leftovers.clean();
    }

    /** The cluster's tag: its namespaces are {@code dint-<tag>-*}. */
    public String tag() {
        return topology.tag();
    }

    public List<Host> servers() {
        return topology.servers();
    }

    public List<Host> clients() {
        return topology.clients();
    }

    /** Servers, then clients. */
    public List<Host> hosts() {
        return topology.hosts();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cluster " + tag() + " is closed");
        }
    }

    private static void closeAllOnExit() {
        for (LocalCluster c : List.copyOf(OPEN)) {
            try {
                c.close();
            } catch (RuntimeException e) {
                System.err.println("dint: tearing down cluster " + c.tag() + ": " + e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "LocalCluster[" + tag() + ", servers=" + servers().size() + ", clients=" + clients().size()
                + (closed ? ", closed" : "") + "]";
    }
}
