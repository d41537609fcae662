package io.dint.cluster;

import io.dint.net.Ipv4;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A deployment described in one TOML file: the service every server host runs, with its options,
 * and the hosts — servers and clients — with their address, interface, MAC (where ARP is not
 * wanted), CPUs and, for servers, the control endpoint's address. The same file is read by
 * {@code dint serve --cluster FILE --host NAME} on each server host, by {@code dint bench} and
 * {@code dint example} on a client host, and written by {@link LocalCluster#describe} for a
 * local cluster (whose hosts are network namespaces, named in {@code netns}).
 *
 * <pre>
 * [service]
 * name = "smallbank"           # lock2pl, occ, log, kv, smallbank or tatp
 * backend = "xdp"              # xdp, afxdp, udp (kv: memcached too)
 *
 * [service.options]            # dint serve options as on its command line, without the dashes
 * accounts = 100000
 * threads = 2
 *
 * [[host]]                     # servers in shard order: s0 is shard 0
 * name = "s0"
 * role = "server"
 * address = "10.0.0.1"
 * iface = "ens1f0np0"          # default eth0
 * mac = "0c:42:a1:00:00:01"    # optional: other hosts get a permanent neighbour entry (no ARP)
 * cpus = "2-7"                 # optional: the server runs on these CPUs
 * control = "10.0.0.1:9230"    # optional: the control endpoint; default ADDRESS:9230
 * </pre>
 *
 * <p>Servers keep the order of the file: for the transaction services the first server host is
 * shard 0, whose keys are {@code key % 3 == 0}.
 *
 * <p>This class is the model and its rules; {@link ClusterFileToml} reads and writes the TOML, and
 * {@link ThisMachine} finds which host of the file this process runs on.
 */
public final class ClusterFile {
    /** The control endpoint's port when the file gives none. */
    public static final int CONTROL_PORT = 9230;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern MAC = Pattern.compile("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
    private static final Pattern OPTION = Pattern.compile("[a-z][a-z0-9-]*");
    /** serve options that the file sets elsewhere: in [service] or per host. */
    private static final Set<String> RESERVED_OPTIONS = Set.of("service", "backend", "iface", "control", "cpus", "cluster", "host");

    /** Server or client. */
    public enum Role {
        SERVER, CLIENT;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The service on every server host.
     *
     * @param options {@code dint serve} options by long name without the dashes; values are
     *                strings, numbers or booleans (true: a flag given, false: left out)
     */
    public record Service(String name, String backend, Map<String, Object> options) {
        public Service {
            options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        }
    }

    /**
     * One host of the file.
     *
     * @param netns   the network namespace this host is on this machine (a local cluster), or null
     * @param control the control endpoint (servers only, else null)
     * @param mac     the interface's MAC, or null (ARP finds it)
     * @param cpus    a CPU list such as {@code 2-7}, or null
     */
    public record Entry(String name, Role role, int ipv4, String iface, String mac, String cpus, InetSocketAddress control,
                        String netns) {
        /** The address in dotted-quad form. */
        public String address() {
            return Ipv4.format(ipv4);
        }

        /** How the file names this host in messages: {@code s0 (10.0.0.1)}. */
        public String describe() {
            return name + " (" + address() + ")";
        }
    }

    private final String origin;
    private final Service service;
    private final List<Entry> hosts;

    /** A description made in code (a local cluster's); {@code origin} names it in messages. */
    public ClusterFile(String origin, Service service, List<Entry> hosts) {
        this.origin = origin;
        this.service = service;
        this.hosts = List.copyOf(hosts);
        validate();
    }

    /** Reads and checks a cluster file; every error names the file and what is wrong where. */
    public static ClusterFile read(Path file) {
        return ClusterFileToml.read(file);
    }

    /** Parses a cluster file's text; {@code origin} names it in messages. */
    public static ClusterFile parse(String toml, String origin) {
        return ClusterFileToml.parse(toml, origin);
    }

    /** Checks what a file can get wrong beyond its syntax: names, MACs, CPU lists, option names. */
    private void validate() {
        if (!NAME.matcher(service.name()).matches() || !NAME.matcher(service.backend()).matches()) {
            throw error(origin, "[service] name and backend are words such as smallbank and xdp, got '" + service.name()
                    + "' and '" + service.backend() + "'");
        }
        for (String o : service.options().keySet()) {
            if (!OPTION.matcher(o).matches()) {
                throw error(origin, "[service.options] " + o + ": options are dint serve's long names without the dashes, e.g. cache-ratio");
            }
            if (RESERVED_OPTIONS.contains(o)) {
                throw error(origin, "[service.options] " + o + " is set elsewhere: service and backend in [service], iface, cpus"
                        + " and control per [[host]]");
            }
        }
        Set<String> names = new HashSet<>();
        Set<Integer> addresses = new HashSet<>();
        for (Entry e : hosts) {
            String where = "host " + e.name();
            if (!NAME.matcher(e.name()).matches()) {
                throw error(origin, "host name '" + e.name() + "' must be 1-32 letters, digits, '_', '.' or '-'");
            }
            if (!names.add(e.name())) {
                throw error(origin, "two hosts are named " + e.name());
            }
            if (!addresses.add(e.ipv4())) {
                throw error(origin, where + ": address " + e.address() + " is another host's too");
            }
            if (e.mac() != null && !MAC.matcher(e.mac()).matches()) {
                throw error(origin, where + ": mac must look like 0c:42:a1:00:00:01, got '" + e.mac() + "'");
            }
            if (e.cpus() != null) {
                try {
                    CoreSplit.cpus(e.cpus(), "cpus");
                } catch (IllegalArgumentException x) {
                    throw error(origin, where + ": " + x.getMessage());
                }
            }
            if (!NAME.matcher(e.iface()).matches()) {
                throw error(origin, where + ": iface '" + e.iface() + "' is not an interface name");
            }
        }
        if (servers().isEmpty()) {
            throw error(origin, "no host has role = \"server\"");
        }
    }

    /** Where the file came from (its path), for messages. */
    public String origin() {
        return origin;
    }

    public Service service() {
        return service;
    }

    /** Every host, in the file's order. */
    public List<Entry> hosts() {
        return hosts;
    }

    /** The server hosts in the file's order (shard order). */
    public List<Entry> servers() {
        return hosts(Role.SERVER);
    }

    public List<Entry> clients() {
        return hosts(Role.CLIENT);
    }

    /** The hosts of {@code role}, in the file's order. */
    public List<Entry> hosts(Role role) {
        return hosts.stream().filter(h -> h.role() == role).toList();
    }

    /** The host named {@code name} with role {@code role}; the error lists the hosts there are. */
    public Entry host(String name, Role role) {
        for (Entry e : hosts) {
            if (e.name().equals(name)) {
                if (e.role() != role) {
                    throw new IllegalArgumentException("host " + name + " in cluster file " + origin + " is a " + e.role().id()
                            + " host, not a " + role.id() + " host");
                }
                return e;
            }
        }
        throw new IllegalArgumentException("no host named '" + name + "' in cluster file " + origin + ": its "
                + role.id() + " hosts are " + names(hosts(role)));
    }

    /** {@code s0 (10.0.0.1), s1 (10.0.0.2)}, or {@code (none)}. */
    static String names(List<Entry> list) {
        return list.isEmpty() ? "(none)" : String.join(", ", list.stream().map(Entry::describe).toList());
    }

    /**
     * Arguments of {@code dint serve} for server {@code e}: the service and backend, the host's
     * interface, CPUs and control endpoint, then the service options.
     */
    public List<String> serveArgs(Entry e) {
        List<String> args = new ArrayList<>(List.of("--service", service.name(), "--backend", service.backend(),
                "--iface", e.iface(), "--control", e.control().getHostString() + ":" + e.control().getPort()));
        if (e.cpus() != null) {
            args.addAll(List.of("--cpus", e.cpus()));
        }
        service.options().forEach((k, v) -> {
            if (v instanceof Boolean b) {
                if (b) {
                    args.add("--" + k);
                }
            } else {
                args.addAll(List.of("--" + k, v.toString()));
            }
        });
        return args;
    }

    /**
     * Which host of {@code role} this process is: {@code name} when given, else the one host of
     * that role whose address is on an interface here, else the one whose network namespace
     * exists here (a local cluster seen from outside its namespaces).
     */
    public Entry thisHost(Role role, String name) {
        return ThisMachine.find(this, role, name);
    }

    /**
     * {@code e} as this process sees itself on it. When {@code e}'s address is on an interface
     * here, that interface must be the file's {@code iface} and the host has no namespace to
     * enter; its MAC, when the file gives none, is read from sysfs. When it is not, and the file
     * names a network namespace that exists here, the host is that namespace (entered per thread
     * by whoever uses it). Otherwise this is the wrong machine, and the error says so.
     *
     * @param wholeProcess true when the caller cannot enter a namespace per thread (a server
     *                     attaching to the interface): then the address must be local
     */
    public Host local(Entry e, boolean wholeProcess) {
        return ThisMachine.local(this, e, wholeProcess);
    }

    /** Another host as seen from this one: its address and, when the file gives it, its MAC. */
    public static Host peer(Entry e) {
        return new Host(e.name(), null, e.iface(), e.ipv4(), e.mac());
    }

    /**
     * Adds a permanent neighbour entry on {@code me}'s interface for every other host whose MAC
     * the file gives, so that nothing waits for ARP (an AF_XDP sender does none). Entries that
     * are already there are replaced by the same.
     */
    public void addNeighbours(Host me) {
        ThisMachine.addNeighbours(this, me);
    }

    /** The file's text: TOML in the layout this class documents, which {@link #parse} reads back. */
    public String toToml() {
        return ClusterFileToml.render(this);
    }

    /** Writes {@link #toToml()} to {@code file} (replaced atomically). */
    public void write(Path file) {
        ClusterFileToml.write(this, file);
    }

    /** An error about the cluster file {@code origin}: {@code cluster file ORIGIN: WHAT}. */
    static IllegalArgumentException error(String origin, String what) {
        return new IllegalArgumentException("cluster file " + origin + ": " + what);
    }

    /** Parses {@code ADDR:PORT} (an IPv4 address and a port) into an unresolved-free socket address. */
    public static InetSocketAddress parseEndpoint(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("must be ADDR:PORT such as 10.0.0.1:9230, got '" + s + "'");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("must be ADDR:PORT with a port in 1..65535, got '" + s + "'");
        }
        String addr = Ipv4.format(Ipv4.parse(s.substring(0, colon)));
        try {
            return new InetSocketAddress(Inet4Address.getByName(addr), port);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad address in '" + s + "'", e);
        }
    }

    @Override
    public String toString() {
        return "ClusterFile[" + origin + ": " + service.name() + " on " + service.backend() + ", " + servers().size()
                + " servers, " + clients().size() + " clients]";
    }
}
