package io.dint.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which host of a {@link ClusterFile} this process runs on, found by the addresses on this machine's
 * interfaces, or by the network namespaces here when the hosts are a local cluster's; and what it
 * must know about the others (their MACs as permanent neighbours).
 */
final class ThisMachine {
    private ThisMachine() {}

    /**
     * Which host of {@code role} this process is: {@code name} when given, else the one host of
     * that role whose address is on an interface here, else the one whose network namespace
     * exists here (a local cluster seen from outside its namespaces).
     */
    static ClusterFile.Entry find(ClusterFile file, ClusterFile.Role role, String name) {
        if (name != null) {
            return file.host(name, role);
        }
        List<ClusterFile.Entry> of = file.hosts(role);
        List<ClusterFile.Entry> local = of.stream().filter(e -> localInterface(e.ipv4()) != null).toList();
        if (local.isEmpty()) {
            local = of.stream().filter(e -> e.netns() != null && Namespaces.exists(e.netns())).toList();
        }
        if (local.size() == 1) {
            return local.getFirst();
        }
        if (local.isEmpty()) {
            throw new IllegalArgumentException("none of the " + role.id() + " hosts of cluster file " + file.origin() + " — "
                    + ClusterFile.names(of) + " — has its address on this machine: run this on one of them, or name it with --host");
        }
        throw new IllegalArgumentException("several " + role.id() + " hosts of cluster file " + file.origin()
                + " are on this machine (" + ClusterFile.names(local) + "): name one with --host");
    }

    /** See {@link ClusterFile#local}. */
    static Host local(ClusterFile file, ClusterFile.Entry e, boolean wholeProcess) {
        String found = localInterface(e.ipv4());
        if (found != null) {
            if (!found.equals(e.iface())) {
                throw new IllegalArgumentException("host " + e.describe() + " of cluster file " + file.origin()
                        + ": the address is on " + found + " here, but the file says iface = \"" + e.iface() + "\"");
            }
            return new Host(e.name(), null, e.iface(), e.ipv4(), e.mac() != null ? e.mac() : sysfsMac(e.iface()));
        }
        boolean namespace = e.netns() != null && Namespaces.exists(e.netns());
        if (namespace && !wholeProcess) {
            return new Host(e.name(), e.netns(), e.iface(), e.ipv4(), e.mac());
        }
        throw new IllegalArgumentException("host " + e.describe() + " of cluster file " + file.origin() + " is not this machine: no"
                + " interface here has address " + e.address() + " (wrong --host, or a wrong address in the file)"
                + (namespace ? "; it is network namespace " + e.netns() + " here: run it there (ip netns exec " + e.netns()
                        + " ...)" : ""));
    }

    /**
     * Adds a permanent neighbour entry on {@code me}'s interface for every other host whose MAC
     * the file gives, so that nothing waits for ARP (an AF_XDP sender does none). Entries that
     * are already there are replaced by the same.
     */
    static void addNeighbours(ClusterFile file, Host me) {
        List<String> lines = new ArrayList<>();
        for (ClusterFile.Entry e : file.hosts()) {
            if (e.mac() != null && e.ipv4() != me.ipv4()) {
                lines.add(Topology.neighbour(e.address(), e.mac(), me.iface()));
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
}
