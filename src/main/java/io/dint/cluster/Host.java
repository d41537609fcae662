package io.dint.cluster;

import io.dint.net.Ipv4;

/**
 * One machine of a {@link LocalCluster}: a network namespace with one interface on the cluster's bridge.
 *
 * @param name   role and index, {@code s0}, {@code s1}, ... for servers and {@code c0}, ... for clients
 * @param netns  the namespace name, for {@code ip netns exec} and {@link io.dint.net.NetNs}
 * @param iface  the interface inside the namespace ({@code eth0})
 * @param ipv4   its address, host order
 * @param mac    its MAC address, {@code 02:00:} followed by the IPv4 bytes
 */
public record Host(String name, String netns, String iface, int ipv4, String mac) {
    /** The address in dotted-quad form. */
    public String address() {
        return Ipv4.format(ipv4);
    }
}
