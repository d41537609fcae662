package io.dint.cluster;

import io.dint.net.Ipv4;
import io.dint.net.NetNs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster of hosts on this machine: one network namespace per host, all joined by a Linux bridge.
 *
 * <p>Namespaces are {@code dint-<tag>-s0..}, {@code dint-<tag>-c0..} and {@code dint-<tag>-br}, where
 * the tag is the creating process's pid in base 36, a dot and a counter; {@link #cleanLeftovers()}
 * reads the pid back to find namespaces of runs that died without closing. Each host has {@code eth0}
 * with {@code 10.231.0.x/24} (servers from {@code .1}, clients from {@code .101}), MTU 1500, and a
 * permanent neighbour entry for every other host, so no ARP is ever needed. Every cluster uses the
 * same subnet: the namespaces keep them apart. The other end of each host's veth pair is a bridge port
 * named after the host ({@code s0}, {@code c0}) and runs an XDP_PASS program in native mode, because
 * native XDP_TX on a veth is dropped unless its peer has an XDP program.
 *
 * <p>Needs root and {@code ip} (iproute2). A JVM shutdown hook closes clusters still open.
 */
public final class LocalCluster implements AutoCloseable {
    /** Every cluster's subnet, 10.231.0.0/24 (host order). */
    public static final int SUBNET = Ipv4.parse("10.231.0.0");
    public static final int PREFIX_LENGTH = 24;
    public static final String IFACE = "eth0";
    static final int FIRST_SERVER = 1;
    static final int FIRST_CLIENT = 101;
    static final int MAX_SERVERS = FIRST_CLIENT - FIRST_SERVER;
    static final int MAX_CLIENTS = 254 - FIRST_CLIENT + 1;
    static final String NS_PREFIX = "dint-";
    /** {@code dint-<pid base36>.<anything>}: namespaces this code (and its tests) create. */
    static final Pattern OWNED = Pattern.compile("dint-([0-9a-z]{1,13})\\.[0-9a-z.]+(-[0-9a-z]+)?");
    private static final String BRIDGE = "br0";
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<LocalCluster> OPEN = ConcurrentHashMap.newKeySet();
    private static final Map<Process, Path> LOGS = Collections.synchronizedMap(new WeakHashMap<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(LocalCluster::closeAllOnExit, "dint-cluster-teardown"));
    }

    private final String tag;
    private final String bridgeNs;
    private final List<Host> servers;
    private final List<Host> clients;
    private final List<String> createdNamespaces = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger started = new AtomicInteger();
    private final Path logDir;
    private final CoreSplit split;
    private volatile BridgeForwarding forwarding;
    private final List<Long> serverNapi = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> clientNapi = Collections.synchronizedList(new ArrayList<>());
    private final Map<Process, Host> hostOf = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private LocalCluster(String tag, int servers, int clients, CoreSplit split) {
        this.tag = tag;
        this.split = split;
        this.bridgeNs = NS_PREFIX + tag + "-br";
        this.servers = hosts("s", servers, FIRST_SERVER);
        this.clients = hosts("c", clients, FIRST_CLIENT);
        this.logDir = defaultLogDir();
    }

    private List<Host> hosts(String role, int count, int firstHostByte) {
        List<Host> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int ip = SUBNET + firstHostByte + i;
            list.add(new Host(role + i, NS_PREFIX + tag + "-" + role + i, IFACE, ip, macOf(ip)));
        }
        return List.copyOf(list);
    }

    static String macOf(int ip) {
        return String.format("02:00:%02x:%02x:%02x:%02x", ip >>> 24, (ip >>> 16) & 0xFF, (ip >>> 8) & 0xFF, ip & 0xFF);
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
     * switch ({@link BridgeForwarding}) instead of XDP_PASS, all of them poll in NAPI kernel threads
     * pinned to the server CPUs (server interfaces) or the client CPUs (client interfaces and bridge
     * ports), and {@link #start} runs server hosts' processes on the server CPUs and client hosts'
     * on the client CPUs.
     */
    public static LocalCluster create(int servers, int clients, CoreSplit split) {
        if (servers < 0 || servers > MAX_SERVERS || clients < 0 || clients > MAX_CLIENTS) {
            throw new IllegalArgumentException("a cluster has 0.." + MAX_SERVERS + " servers and 0.." + MAX_CLIENTS
                    + " clients, asked for " + servers + " and " + clients);
        }
        String tag = Long.toString(ProcessHandle.current().pid(), 36) + "." + COUNTER.incrementAndGet();
        LocalCluster c = new LocalCluster(tag, servers, clients, split);
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
        io.dint.bpf.BpfFs.shareWithNamespaces(); // before any ip netns exec: pins must outlive server processes
        Path pass = passProgram();
        List<Host> all = hosts();
        addNamespace(bridgeNs);
        for (Host h : all) {
            addNamespace(h.netns());
        }
        // No IPv6: its router solicitations and MLD reports would be the only traffic we did not send.
        List<String> namespaces = new ArrayList<>(createdNamespaces);
        onPlatformThread(() -> namespaces.forEach(LocalCluster::disableIpv6));
        onPlatformThread(() -> skipIptablesOnBridge(bridgeNs));

        List<String> br = new ArrayList<>();
        br.add("link set lo up");
        br.add("link add " + BRIDGE + " type bridge stp_state 0");
        br.add("link set " + BRIDGE + " mtu 1500 up");
        for (Host h : all) {
            String port = bridgePort(h);
            br.add("link add " + port + " mtu 1500 type veth peer name " + h.iface() + " netns " + h.netns());
            br.add("link set " + port + " master " + BRIDGE);
            br.add("link set " + port + " up");
        }
        IpCommand.batch(bridgeNs, br);
        for (Host h : all) {
            if (split != null) {
                break; // the XDP switch goes on the ports once the hosts' interfaces receive in NAPI
            }
            try {
                IpCommand.ip("-n", bridgeNs, "link", "set", "dev", bridgePort(h), "xdpdrv", "obj", pass.toString(),
                        "sec", "xdp");
            } catch (IllegalStateException e) {
                throw new IllegalStateException("cannot attach the XDP_PASS program " + pass + " to bridge port "
                        + bridgePort(h) + " in native mode (needed for XDP_TX on the hosts' veths): "
                        + e.getMessage(), e);
            }
        }
        for (Host h : all) {
            List<String> cmds = new ArrayList<>();
            cmds.add("link set lo up");
            cmds.add("link set " + h.iface() + " address " + h.mac() + " mtu 1500");
            cmds.add("addr add " + h.address() + "/" + PREFIX_LENGTH + " dev " + h.iface());
            cmds.add("link set " + h.iface() + " up");
            for (Host o : all) {
                if (o != h) {
                    cmds.add("neigh replace " + o.address() + " lladdr " + o.mac() + " dev " + h.iface()
                            + " nud permanent");
                }
            }
            IpCommand.batch(h.netns(), cmds);
        }
        if (split != null) {
            splitCores(all);
        }
    }

    /**
     * With a split: moves every NAPI poll back into softirq on the CPU that scheduled it ({@code
     * false}) — a request is then served on the way of its sender, without waking a thread on each
     * hop, which is how an unloaded latency is measured — or into pinned threads again ({@code true}).
     */
    public synchronized void threadedNapi(boolean on) {
        if (split == null) {
            throw new IllegalStateException("cluster " + tag + " has no core split: its NAPI polls are never threaded");
        }
        if (!on) {
            for (Host h : hosts()) {
                NapiThreads.unthread(h.netns(), h.iface());
                NapiThreads.unthread(bridgeNs, bridgePort(h));
            }
            serverNapi.clear();
            clientNapi.clear();
            return;
        }
        if (serverNapi.isEmpty() && clientNapi.isEmpty()) {
            threadAll(hosts());
        }
    }

    private void threadAll(List<Host> all) {
        for (Host h : all) {
            boolean server = servers.contains(h);
            (server ? serverNapi : clientNapi).addAll(
                    NapiThreads.threadAndPin(h.netns(), h.iface(), server ? split.serverList() : split.clientList()));
            clientNapi.addAll(NapiThreads.threadAndPin(bridgeNs, bridgePort(h), split.clientList()));
        }
    }

    /** See {@link #create(int, int, CoreSplit)}. */
    private void splitCores(List<Host> all) {
        for (Host h : all) {
            try {
                IpCommand.run(List.of(IpCommand.IP, "netns", "exec", h.netns(), "ethtool", "-K", h.iface(), "gro", "on"), null);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("cannot turn GRO on for " + h.iface() + " of host " + h.name()
                        + " (needs ethtool; the veth then receives in NAPI): " + e.getMessage(), e);
            }
        }
        onPlatformThread(() -> forwarding = BridgeForwarding.attach(bridgeNs, all, this::bridgePort));
        threadAll(all);
    }

    /**
     * The tasks doing the servers' work ({@code servers}) or the clients' and the wire's: the NAPI
     * threads of their interfaces (and, for clients, of the bridge ports) and the processes
     * {@link #start}ed on those hosts with their descendants. Empty without a split.
     */
    public List<Long> tasks(boolean servers) {
        List<Long> pids = new ArrayList<>(servers ? serverNapi : clientNapi);
        hostOf.forEach((p, h) -> {
            if (this.servers.contains(h) == servers && p.isAlive()) {
                pids.add(p.pid());
                p.descendants().forEach(d -> pids.add(d.pid()));
            }
        });
        return pids;
    }

    /** The CPU split of this cluster, or null when its hosts share every CPU. */
    public CoreSplit split() {
        return split;
    }

    private void addNamespace(String ns) {
        IpCommand.ip("netns", "add", ns);
        createdNamespaces.add(ns);
    }

    /**
     * When br_netfilter is loaded (a container runtime on the machine loads it), every bridged frame
     * goes through iptables, which doubled the cost of a request's way through the bridge here. A
     * switch does not run a firewall: turn it off in the bridge's namespace (the setting is per namespace).
     */
    private static void skipIptablesOnBridge(String ns) {
        try (var _ = NetNs.enterTemporarily(ns)) {
            for (String family : List.of("iptables", "ip6tables", "arptables")) {
                Path p = Path.of("/proc/sys/net/bridge/bridge-nf-call-" + family);
                if (Files.exists(p)) {
                    Files.writeString(p, "0\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot turn off bridge netfilter in namespace " + ns, e);
        }
    }

    private static void disableIpv6(String ns) {
        try (var _ = NetNs.enterTemporarily(ns)) {
            for (String conf : List.of("all", "default")) {
                Path p = Path.of("/proc/sys/net/ipv6/conf", conf, "disable_ipv6");
                if (Files.exists(p)) {
                    Files.writeString(p, "1\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot disable IPv6 in namespace " + ns, e);
        }
    }

    /** setns moves only the calling OS thread; a fresh platform thread keeps the caller's thread untouched. */
    static void onPlatformThread(Runnable r) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("dint-cluster-setup").start(() -> {
            try {
                r.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up namespaces", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("namespace setup did not finish within 30 s", e);
        }
    }

    /** The XDP_PASS object: from {@code dint.bpf.dir} when set (tests), else from the classpath. */
    static Path passProgram() {
        String dir = System.getProperty("dint.bpf.dir");
        if (dir != null && Files.isRegularFile(Path.of(dir, "pass.bpf.o"))) {
            return Path.of(dir, "pass.bpf.o");
        }
        URL url = LocalCluster.class.getClassLoader().getResource("bpf/pass.bpf.o");
        if (url == null) {
            throw new IllegalStateException("bpf/pass.bpf.o is not on the classpath" + (dir == null ? "" : " nor in " + dir)
                    + ": build the project (mvn package compiles src/main/bpf)");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            Path tmp = Files.createTempFile("dint-pass", ".bpf.o");
            tmp.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read " + url, e);
        }
    }

    public String tag() {
        return tag;
    }

    public List<Host> servers() {
        return servers;
    }

    public List<Host> clients() {
        return clients;
    }

    /** Servers, then clients. */
    public List<Host> hosts() {
        List<Host> all = new ArrayList<>(servers);
        all.addAll(clients);
        return List.copyOf(all);
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
            boolean server = servers.contains(h);
            entries.add(new ClusterFile.Entry(h.name(), server ? ClusterFile.Role.SERVER : ClusterFile.Role.CLIENT, h.ipv4(),
                    h.iface(), h.mac(), split == null ? null : server ? split.serverList() : split.clientList(),
                    server ? new java.net.InetSocketAddress(h.address(), ClusterFile.CONTROL_PORT) : null, h.netns()));
        }
        return new ClusterFile("local cluster " + tag, service, entries);
    }

    /** The namespace holding the bridge and the far ends of the hosts' veths. */
    public String bridgeNetns() {
        return bridgeNs;
    }

    /** The bridge-side veth of {@code host}, in {@link #bridgeNetns()}. */
    public String bridgePort(Host host) {
        return host.name();
    }

    /** Where {@link #start} puts the children's stderr. */
    public Path logDir() {
        return logDir;
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
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java binary runs this JVM"));
        String classpath = System.getProperty("dint.classpath", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(IpCommand.IP, "netns", "exec", host.netns()));
        if (split != null) {
            cmd.addAll(List.of("taskset", "-c", servers.contains(host) ? split.serverList() : split.clientList()));
        }
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath));
        cmd.addAll(javaArgs);
        Path log = logDir.resolve(tag + "-" + host.name() + "-" + started.incrementAndGet() + ".log");
        try {
            Files.createDirectories(logDir);
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            processes.add(p);
            hostOf.put(p, host);
            LOGS.put(p, log);
            if (closed) { // close() ran meanwhile and did not see it
                kill(List.of(p));
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start `" + String.join(" ", cmd) + "`", e);
        }
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
        List<String> args = new ArrayList<>(List.of("io.dint.cli.Main", "serve"));
        args.addAll(serveOptions);
        int backend = serveOptions.indexOf("--backend");
        if (backend < 0 || backend + 1 == serveOptions.size() || !serveOptions.get(backend + 1).equals("memcached")) {
            args.addAll(List.of("--allow", subnetPrefix()));
        }
        return start(host, args);
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
        Deque<String> tail = new ArrayDeque<>();
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread.ofVirtual().name("dint-await-" + p.pid()).start(() -> {
            try {
                InputStream in = p.getInputStream();
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                while (!found.isDone()) {
                    int b = in.read();
                    if (b < 0 || b == '\n') {
                        if (b < 0 && line.size() == 0) {
                            found.complete(null);
                            return;
                        }
                        String s = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        if (s.startsWith(prefix)) {
                            found.complete(s);
                            return;
                        }
                        synchronized (tail) {
                            if (tail.size() == 20) {
                                tail.removeFirst();
                            }
                            tail.addLast(s);
                        }
                    } else {
                        line.write(b);
                    }
                }
            } catch (IOException e) {
                found.complete(null); // stream closed: treat like an exit
            }
        });
        String why;
        try {
            String line = found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line != null) {
                return line;
            }
            boolean exited = p.waitFor(2, TimeUnit.SECONDS);
            why = exited ? "exited with status " + p.exitValue() : "closed its stdout";
        } catch (TimeoutException e) {
            found.complete(null);
            why = "did not print it within " + timeout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "was still starting when we were interrupted";
        } catch (ExecutionException e) {
            why = "could not be read: " + e.getCause();
        }
        String stdout;
        synchronized (tail) {
            stdout = String.join("\n", tail);
        }
        throw new IllegalStateException("process " + p.pid() + " " + p.info().commandLine().orElse("")
                + "\n" + why + " before a line starting with '" + prefix + "'"
                + "\n--- last stdout lines ---\n" + stdout + "\n--- stderr " + stderrTail(p));
    }

    private static String stderrTail(Process p) {
        Path log = LOGS.get(p);
        if (log == null) {
            return "(not captured) ---";
        }
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return log + " ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return log + " (unreadable: " + e.getMessage() + ") ---";
        }
    }

    /** Kills the processes this cluster started, then deletes its namespaces (and with them its veths and bridge). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        if (forwarding != null) {
            forwarding.close();
        }
        List<Process> ps;
        synchronized (processes) {
            ps = new ArrayList<>(processes);
        }
        kill(ps);
        List<String> namespaces;
        synchronized (createdNamespaces) {
            namespaces = new ArrayList<>(createdNamespaces);
        }
        for (String ns : namespaces) {
            try {
                deleteNamespace(ns);
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        OPEN.remove(this);
        if (!failures.isEmpty()) {
            throw new IllegalStateException("cluster " + tag + " left namespaces behind: " + String.join("; ", failures));
        }
    }

    private static void kill(List<Process> ps) {
        ps.forEach(Process::destroy);
        long deadline = System.nanoTime() + KILL_GRACE.toNanos();
        for (Process p : ps) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Kills whatever still runs in {@code ns} (a child of a crashed run, a stray ping) and deletes it. */
    private static void deleteNamespace(String ns) {
        if (!Files.exists(Path.of("/var/run/netns", ns))) {
            return;
        }
        long self = ProcessHandle.current().pid();
        try {
            for (String pid : IpCommand.ip("netns", "pids", ns).split("\\s+")) {
                if (!pid.isBlank() && Long.parseLong(pid) != self) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (RuntimeException e) {
            // best effort: the namespace goes away from the list anyway, and dies with its last process
        }
        IpCommand.ip("netns", "del", ns);
    }

    /**
     * Deletes {@code dint-<pid>.*} namespaces whose creating process is gone (and kills what still runs in
     * them). Namespaces of live processes, including other runs in progress, are left alone.
     *
     * @return how many namespaces were deleted
     */
    public static int cleanLeftovers() {
        String[] names;
        try {
            names = IpCommand.ip("netns", "list").lines().map(l -> l.split("\\s+")[0]).toArray(String[]::new);
        } catch (IllegalStateException e) {
            return 0; // no /var/run/netns yet
        }
        int removed = 0;
        for (String ns : names) {
            OptionalPid owner = ownerOf(ns);
            if (owner.valid && ProcessHandle.of(owner.pid).isEmpty()) {
                deleteNamespace(ns);
                removed++;
            }
        }
        return removed;
    }

    private record OptionalPid(boolean valid, long pid) {}

    private static OptionalPid ownerOf(String ns) {
        Matcher m = OWNED.matcher(ns);
        if (!m.matches()) {
            return new OptionalPid(false, 0);
        }
        try {
            return new OptionalPid(true, Long.parseLong(m.group(1), 36));
        } catch (NumberFormatException e) {
            return new OptionalPid(false, 0);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cluster " + tag + " is closed");
        }
    }

    private static Path defaultLogDir() {
        String dir = System.getProperty("dint.log.dir");
        if (dir != null) {
            return Path.of(dir).toAbsolutePath();
        }
        Path target = Path.of("target");
        return Files.isDirectory(target) ? target.resolve("cluster-logs").toAbsolutePath() : Path.of("/tmp/dint-logs");
    }

    private static void closeAllOnExit() {
        for (LocalCluster c : List.copyOf(OPEN)) {
            try {
                c.close();
            } catch (RuntimeException e) {
                System.err.println("dint: tearing down cluster " + c.tag + ": " + e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "LocalCluster[" + tag + ", servers=" + servers.size() + ", clients=" + clients.size()
                + (closed ? ", closed" : "") + "]";
    }
}
