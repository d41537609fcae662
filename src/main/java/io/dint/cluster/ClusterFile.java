package io.dint.cluster;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.dint.net.Ipv4;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
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
 */
public final class ClusterFile {
    /** The control endpoint's port when the file gives none. */
    public static final int CONTROL_PORT = 9230;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern MAC = Pattern.compile("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
    private static final Pattern OPTION = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Set<String> TOP_KEYS = Set.of("service", "host");
    private static final Set<String> SERVICE_KEYS = Set.of("name", "backend", "options");
    private static final List<String> HOST_KEYS = List.of("name", "role", "address", "iface", "mac", "cpus", "control", "netns");
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
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read cluster file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses a cluster file's text; {@code origin} names it in messages. */
    public static ClusterFile parse(String toml, String origin) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cluster file " + origin + " is not valid TOML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        Reader r = new Reader(origin);
        r.only(root, "the top level", TOP_KEYS);
        JsonNode svc = root.get("service");
        if (svc == null || !svc.isObject()) {
            throw r.error("no [service] table: it names the service and backend every server runs");
        }
        r.only(svc, "[service]", SERVICE_KEYS);
        Map<String, Object> options = new LinkedHashMap<>();
        JsonNode opts = svc.get("options");
        if (opts != null) {
            if (!opts.isObject()) {
                throw r.error("[service] options must be a table ([service.options])");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = opts.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> o = it.next();
                JsonNode v = o.getValue();
                Object value = v.isBoolean() ? (Object) v.booleanValue() : v.isIntegralNumber() ? (Object) v.longValue()
                        : v.isNumber() ? (Object) v.doubleValue() : v.isTextual() ? v.textValue() : null;
                if (value == null) {
                    throw r.error("[service.options] " + o.getKey() + " must be a string, number or boolean, got " + v);
                }
                options.put(o.getKey(), value);
            }
        }
        Service service = new Service(r.text(svc, "[service]", "name", true), r.text(svc, "[service]", "backend", true), options);
        JsonNode list = root.get("host");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw r.error("no [[host]] entries: list every server and client host");
        }
        List<Entry> hosts = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode h = list.get(i);
            String where = "[[host]] #" + (i + 1);
            if (!h.isObject()) {
                throw r.error(where + " must be a table");
            }
            String name = r.text(h, where, "name", true);
            where += " (" + name + ")";
            r.only(h, where, new HashSet<>(HOST_KEYS));
            String role = r.text(h, where, "role", true);
            Role parsed = switch (role) {
                case "server" -> Role.SERVER;
                case "client" -> Role.CLIENT;
                default -> throw r.error(where + ": role must be server or client, got '" + role + "'");
            };
            String address = r.text(h, where, "address", true);
            int ipv4;
            try {
                ipv4 = Ipv4.parse(address);
            } catch (IllegalArgumentException e) {
                throw r.error(where + ": address " + e.getMessage());
            }
            String iface = r.text(h, where, "iface", false);
            String control = r.text(h, where, "control", false);
            if (control != null && parsed == Role.CLIENT) {
                throw r.error(where + ": control is the endpoint of a server; a client host has none");
            }
            hosts.add(new Entry(name, parsed, ipv4, iface == null ? "eth0" : iface, r.text(h, where, "mac", false),
                    r.text(h, where, "cpus", false),
                    parsed == Role.SERVER ? r.endpoint(where, control, ipv4) : null, r.text(h, where, "netns", false)));
        }
        return new ClusterFile(origin, service, hosts);
    }

    /** Checks what a file can get wrong beyond its syntax: names, MACs, CPU lists, option names. */
    private void validate() {
        Reader r = new Reader(origin);
        if (!NAME.matcher(service.name()).matches() || !NAME.matcher(service.backend()).matches()) {
            throw r.error("[service] name and backend are words such as smallbank and xdp, got '" + service.name()
                    + "' and '" + service.backend() + "'");
        }
        for (String o : service.options().keySet()) {
            if (!OPTION.matcher(o).matches()) {
                throw r.error("[service.options] " + o + ": options are dint serve's long names without the dashes, e.g. cache-ratio");
            }
            if (RESERVED_OPTIONS.contains(o)) {
                throw r.error("[service.options] " + o + " is set elsewhere: service and backend in [service], iface, cpus"
                        + " and control per [[host]]");
            }
        }
        Set<String> names = new HashSet<>();
        Set<Integer> addresses = new HashSet<>();
        for (Entry e : hosts) {
            String where = "host " + e.name();
            if (!NAME.matcher(e.name()).matches()) {
                throw r.error("host name '" + e.name() + "' must be 1-32 letters, digits, '_', '.' or '-'");
            }
            if (!names.add(e.name())) {
                throw r.error("two hosts are named " + e.name());
            }
            if (!addresses.add(e.ipv4())) {
                throw r.error(where + ": address " + e.address() + " is another host's too");
            }
            if (e.mac() != null && !MAC.matcher(e.mac()).matches()) {
                throw r.error(where + ": mac must look like 0c:42:a1:00:00:01, got '" + e.mac() + "'");
            }
            if (e.cpus() != null) {
                try {
                    CoreSplit.cpus(e.cpus(), "cpus");
                } catch (IllegalArgumentException x) {
                    throw r.error(where + ": " + x.getMessage());
                }
            }
            if (!NAME.matcher(e.iface()).matches()) {
                throw r.error(where + ": iface '" + e.iface() + "' is not an interface name");
            }
        }
        if (servers().isEmpty()) {
            throw r.error("no host has role = \"server\"");
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
        return hosts.stream().filter(h -> h.role() == Role.SERVER).toList();
    }

    public List<Entry> clients() {
        return hosts.stream().filter(h -> h.role() == Role.CLIENT).toList();
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
                + role.id() + " hosts are " + names(role == Role.SERVER ? servers() : clients()));
    }

    private static String names(List<Entry> list) {
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
        if (name != null) {
            return host(name, role);
        }
        List<Entry> of = role == Role.SERVER ? servers() : clients();
        List<Entry> local = of.stream().filter(e -> localInterface(e.ipv4()) != null).toList();
        if (local.isEmpty()) {
            local = of.stream().filter(e -> e.netns() != null && Files.exists(Path.of("/var/run/netns", e.netns()))).toList();
        }
        if (local.size() == 1) {
            return local.getFirst();
        }
        if (local.isEmpty()) {
            throw new IllegalArgumentException("none of the " + role.id() + " hosts of cluster file " + origin + " — "
                    + names(of) + " — has its address on this machine: run this on one of them, or name it with --host");
        }
        throw new IllegalArgumentException("several " + role.id() + " hosts of cluster file " + origin + " are on this machine ("
                + names(local) + "): name one with --host");
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
        String found = localInterface(e.ipv4());
        if (found != null) {
            if (!found.equals(e.iface())) {
                throw new IllegalArgumentException("host " + e.describe() + " of cluster file " + origin + ": the address is on "
                        + found + " here, but the file says iface = \"" + e.iface() + "\"");
            }
            return new Host(e.name(), null, e.iface(), e.ipv4(), e.mac() != null ? e.mac() : sysfsMac(e.iface()));
        }
        boolean namespace = e.netns() != null && Files.exists(Path.of("/var/run/netns", e.netns()));
        if (namespace && !wholeProcess) {
            return new Host(e.name(), e.netns(), e.iface(), e.ipv4(), e.mac());
        }
        throw new IllegalArgumentException("host " + e.describe() + " of cluster file " + origin + " is not this machine: no"
                + " interface here has address " + e.address() + " (wrong --host, or a wrong address in the file)"
                + (namespace ? "; it is network namespace " + e.netns() + " here: run it there (ip netns exec " + e.netns()
                        + " ...)" : ""));
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
        List<String> lines = new ArrayList<>();
        for (Entry e : hosts) {
            if (e.mac() != null && e.ipv4() != me.ipv4()) {
                lines.add("neigh replace " + e.address() + " lladdr " + e.mac() + " dev " + me.iface() + " nud permanent");
            }
        }
        if (!lines.isEmpty()) {
            IpCommand.batch(me.netns(), lines);
        }
    }

    /** The interface holding {@code ipv4} in this process's namespace, or null. */
    private static String localInterface(int ipv4) {
        try {
            InetAddress a = InetAddress.getByAddress(new byte[] {
                    (byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
            NetworkInterface ni = NetworkInterface.getByInetAddress(a);
            return ni == null ? null : ni.getName();
        } catch (IOException e) {
            return null;
        }
    }

    private static String sysfsMac(String iface) {
        try {
            return Files.readString(Path.of("/sys/class/net", iface, "address")).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** The file's text: TOML in the layout this class documents, which {@link #parse} reads back. */
    public String toToml() {
        StringBuilder b = new StringBuilder("# DINT cluster file (dint serve --cluster FILE --host NAME; dint bench|example --cluster FILE)\n");
        b.append("[service]\n");
        b.append("name = ").append(quote(service.name())).append('\n');
        b.append("backend = ").append(quote(service.backend())).append('\n');
        if (!service.options().isEmpty()) {
            b.append("\n[service.options]\n");
            service.options().forEach((k, v) -> b.append(k).append(" = ").append(v instanceof String s ? quote(s) : v).append('\n'));
        }
        for (Entry e : hosts) {
            b.append("\n[[host]]\n");
            b.append("name = ").append(quote(e.name())).append('\n');
            b.append("role = ").append(quote(e.role().id())).append('\n');
            b.append("address = ").append(quote(e.address())).append('\n');
            b.append("iface = ").append(quote(e.iface())).append('\n');
            if (e.mac() != null) {
                b.append("mac = ").append(quote(e.mac())).append('\n');
            }
            if (e.cpus() != null) {
                b.append("cpus = ").append(quote(e.cpus())).append('\n');
            }
            if (e.control() != null) {
                b.append("control = ").append(quote(e.control().getHostString() + ":" + e.control().getPort())).append('\n');
            }
            if (e.netns() != null) {
                b.append("netns = ").append(quote(e.netns())).append('\n');
            }
        }
        return b.toString();
    }

    /** Writes {@link #toToml()} to {@code file} (replaced atomically). */
    public void write(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".cluster", ".toml");
            Files.writeString(tmp, toToml(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write cluster file " + file, e);
        }
    }

    /** A TOML basic string. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Reads typed values out of the parsed tree, every error naming the file. */
    private record Reader(String origin) {
        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("cluster file " + origin + ": " + what);
        }

        void only(JsonNode node, String where, Set<String> known) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!known.contains(k)) {
                    throw error(where + ": unknown key '" + k + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }

        String text(JsonNode node, String where, String key, boolean required) {
            JsonNode v = node.get(key);
            if (v == null) {
                if (required) {
                    throw error(where + " has no " + key);
                }
                return null;
            }
            if (!v.isTextual() || v.textValue().isBlank()) {
                throw error(where + ": " + key + " must be a non-empty string, got " + v);
            }
            return v.textValue().trim();
        }

        InetSocketAddress endpoint(String where, String control, int hostIpv4) {
            if (control == null) {
                return new InetSocketAddress(Ipv4.format(hostIpv4), CONTROL_PORT);
            }
            try {
                return parseEndpoint(control);
            } catch (IllegalArgumentException e) {
                throw error(where + ": control " + e.getMessage());
            }
        }
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
