package io.dint.cluster;

import io.dint.net.Ipv4;
import java.util.ArrayList;
import java.util.List;

/**
 * The hosts of a local cluster and the wires between them. Each host is a namespace with {@code eth0}
 * at {@code 10.231.0.x/24} (servers from {@code .1}, clients from {@code .101}), MTU 1500, a MAC made
 * of its address and a permanent neighbour entry for every other host, so no ARP is ever needed.
 * Every cluster uses the same subnet: the namespaces keep them apart. The other end of each host's
 * veth pair is a port named after the host ({@code s0}, {@code c0}) of bridge {@code br0}, in a
 * namespace of its own.
 */
final class Topology {
    /** Every cluster's subnet, 10.231.0.0/24 (host order). */
    static final int SUBNET = Ipv4.parse("10.231.0.0");
    static final int PREFIX_LENGTH = 24;
    static final String IFACE = "eth0";
    static final int FIRST_SERVER = 1;
    static final int FIRST_CLIENT = 101;
    static final int MAX_SERVERS = FIRST_CLIENT - FIRST_SERVER;
    static final int MAX_CLIENTS = 254 - FIRST_CLIENT + 1;
    /** DINT's messages are small; 1500 keeps every frame within a page, as native XDP wants. */
    private static final int MTU = 1500;
    private static final String BRIDGE = "br0";

    private final String tag;
    private final String bridgeNs;
    private final List<Host> servers;
    private final List<Host> clients;

    /** The hosts of cluster {@code tag}; nothing is made yet. */
    Topology(String tag, int servers, int clients) {
        if (servers < 0 || servers > MAX_SERVERS || clients < 0 || clients > MAX_CLIENTS) {
            throw new IllegalArgumentException("a cluster has 0.." + MAX_SERVERS + " servers and 0.." + MAX_CLIENTS
                    + " clients, asked for " + servers + " and " + clients);
        }
        this.tag = tag;
        this.bridgeNs = Leftovers.namespace(tag, "br");
        this.servers = hosts("s", servers, FIRST_SERVER);
        this.clients = hosts("c", clients, FIRST_CLIENT);
    }

    private List<Host> hosts(String role, int count, int firstHostByte) {
        List<Host> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int ip = SUBNET + firstHostByte + i;
            list.add(new Host(role + i, Leftovers.namespace(tag, role + i), IFACE, ip, macOf(ip)));
        }
        return List.copyOf(list);
    }

    /** A host's MAC: {@code 02:00:} (locally administered) followed by its IPv4 address's bytes. */
    static String macOf(int ip) {
        return String.format("02:00:%02x:%02x:%02x:%02x", ip >>> 24, (ip >>> 16) & 0xFF, (ip >>> 8) & 0xFF, ip & 0xFF);
    }

    String tag() {
        return tag;
    }

    /** The namespace holding the bridge and the far ends of the hosts' veths. */
    String bridgeNs() {
        return bridgeNs;
    }

    List<Host> servers() {
        return servers;
    }

    List<Host> clients() {
        return clients;
    }

    /** Servers, then clients. */
    List<Host> hosts() {
        List<Host> all = new ArrayList<>(servers);
        all.addAll(clients);
        return List.copyOf(all);
    }

    boolean isServer(Host h) {
        return servers.contains(h);
    }

    /** Every namespace of the cluster: the bridge's, then the hosts'. */
    List<String> namespaces() {
        List<String> all = new ArrayList<>();
        all.add(bridgeNs);
        hosts().forEach(h -> all.add(h.netns()));
        return all;
    }

    /** The bridge-side veth of {@code host}, in {@link #bridgeNs()}. */
    String bridgePort(Host host) {
        return host.name();
    }

    /**
     * Lays the wires into the namespaces, which must exist: the bridge and one veth pair per host, then
     * each host's interface with its MAC, address and neighbours.
     */
    void wire() {
        List<Host> all = hosts();
        List<String> br = new ArrayList<>();
        br.add("link set lo up");
        br.add("link add " + BRIDGE + " type bridge stp_state 0");
        br.add("link set " + BRIDGE + " mtu " + MTU + " up");
        for (Host h : all) {
            String port = bridgePort(h);
            br.add("link add " + port + " mtu " + MTU + " type veth peer name " + h.iface() + " netns " + h.netns());
            br.add("link set " + port + " master " + BRIDGE);
            br.add("link set " + port + " up");
        }
        IpCommand.batch(bridgeNs, br);
        for (Host h : all) {
            List<String> cmds = new ArrayList<>();
            cmds.add("link set lo up");
            cmds.add("link set " + h.iface() + " address " + h.mac() + " mtu " + MTU);
            cmds.add("addr add " + h.address() + "/" + PREFIX_LENGTH + " dev " + h.iface());
            cmds.add("link set " + h.iface() + " up");
            for (Host o : all) {
                if (o != h) {
                    cmds.add(neighbour(o.address(), o.mac(), h.iface()));
                }
            }
            IpCommand.batch(h.netns(), cmds);
        }
    }

    /** The {@code ip} line that makes {@code address} reachable at {@code mac} on {@code iface} without ARP. */
    static String neighbour(String address, String mac, String iface) {
        return "neigh replace " + address + " lladdr " + mac + " dev " + iface + " nud permanent";
    }
}
