package io.dint.xsk;

import static io.dint.sys.Libc.LIBC;
import static io.dint.sys.SocketStructs.ETHTOOL_CHANNELS;
import static io.dint.sys.SocketStructs.IFREQ;
import static io.dint.sys.SocketStructs.SOCKADDR;
import static io.dint.sys.SocketStructs.SOCKADDR_IN;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.net.Ipv4;
import io.dint.sys.Errno;
import io.dint.sys.Libc;
import io.dint.sys.NativeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a kernel-bypass sender must know that the kernel stack would otherwise work out: an
 * interface's index, MAC and IPv4 address, its receive queues, and the link-layer address of a
 * neighbour.
 *
 * <p>Everything is read in the network namespace of the calling thread: the interface through
 * ioctls on a throw-away socket, neighbours from {@code /proc/thread-self/net/arp}.
 * ({@code /sys/class/net} would be wrong after {@code setns}: sysfs shows the namespace it was
 * mounted in, not the thread's.)
 *
 * @param name      interface name
 * @param index     its ifindex
 * @param mac       its MAC, as the low 48 bits
 * @param ipv4      its first IPv4 address (host order), 0 when it has none
 * @param mtu       its MTU
 * @param rxQueues  receive queues (channels) the driver reports, at least 1
 */
record NetLink(String name, int index, long mac, int ipv4, int mtu, int rxQueues) {
    private static final int ATF_COM = 0x2;
    private static final long IFR_INDEX = ifru("ifru_ivalue"); // ifr_ifindex
    private static final long IFR_MTU = ifru("ifru_mtu");
    private static final long IFR_DATA = ifru("ifru_data");
    private static final long IFR_MAC = ifru("ifru_hwaddr") + SOCKADDR.byteOffset(groupElement("sa_data"));
    private static final long IFR_IPV4 = ifru("ifru_addr") + SOCKADDR_IN.byteOffset(groupElement("sin_addr"));
    private static final long CHANNELS_CMD = ETHTOOL_CHANNELS.byteOffset(groupElement("cmd"));
    private static final long CHANNELS_RX = ETHTOOL_CHANNELS.byteOffset(groupElement("rx_count"));
    private static final long CHANNELS_COMBINED = ETHTOOL_CHANNELS.byteOffset(groupElement("combined_count"));

    /** Reads the interface {@code name} of the calling thread's namespace. */
    static NetLink of(String name) {
        if (name.isEmpty() || name.length() > 15) {
            throw new IllegalArgumentException("not an interface name: '" + name + "'");
        }
        int fd = NativeException.check(LIBC.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0),
                "socket(AF_INET, SOCK_DGRAM)");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = a.allocate(IFREQ);
            int r = ioctl(fd, Libc.SIOCGIFINDEX, req, name);
            if (r < 0) {
                throw NativeException.of("looking up interface '" + name + "' (SIOCGIFINDEX)", -r,
                        r == -Errno.ENODEV ? "No such interface in this network namespace: check the name with ip link" : null);
            }
            int index = req.get(JAVA_INT, IFR_INDEX);
            NativeException.check(ioctl(fd, Libc.SIOCGIFHWADDR, req, name), "reading the MAC of '" + name + "' (SIOCGIFHWADDR)");
            long mac = UdpFrame.mac(req, IFR_MAC);
            int ipv4 = ioctl(fd, Libc.SIOCGIFADDR, req, name) == 0 ? req.get(JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), IFR_IPV4) : 0;
            NativeException.check(ioctl(fd, Libc.SIOCGIFMTU, req, name), "reading the MTU of '" + name + "' (SIOCGIFMTU)");
            int mtu = req.get(JAVA_INT, IFR_MTU);
            int queues = 1;
            MemorySegment channels = a.allocate(ETHTOOL_CHANNELS);
            channels.set(JAVA_INT, CHANNELS_CMD, Libc.ETHTOOL_GCHANNELS);
            req.fill((byte) 0);
            req.setString(0, name);
            req.set(ADDRESS, IFR_DATA, channels);
            if (LIBC.ioctl(fd, Libc.SIOCETHTOOL, req) == 0) {
                int rx = channels.get(JAVA_INT, CHANNELS_RX);
                int combined = channels.get(JAVA_INT, CHANNELS_COMBINED);
                // NICs count queue pairs as combined channels; veth reports rx (and combined = min(rx, tx)).
                queues = Math.max(1, Math.max(rx, combined));
            }
            return new NetLink(name, index, mac, ipv4, mtu, queues);
        } finally {
            LIBC.close(fd);
        }
    }

    /** The offset in struct ifreq of a member of its union ifr_ifru. */
    private static long ifru(String member) {
        return IFREQ.byteOffset(groupElement("ifr_ifru"), groupElement(member));
    }

    /** An interface ioctl on {@code name}: 0, or -errno. */
    private static int ioctl(int fd, int request, MemorySegment req, String name) {
        req.fill((byte) 0);
        req.setString(0, name); // ifr_name, first
        return LIBC.ioctl(fd, request, req);
    }

    /**
     * The MAC of {@code ipv4} on {@code iface}, from the kernel's neighbour table of the calling
     * thread's namespace (complete entries only).
     *
     * @throws IllegalStateException when there is no complete entry: AF_XDP bypasses ARP
     */
    static long neighbour(int ipv4, String iface) {
        Path arp = Path.of("/proc/thread-self/net/arp");
        List<String> lines;
        try {
            lines = Files.readAllLines(arp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the neighbour table " + arp, e);
        }
        Long mac = parseArp(lines, ipv4, iface);
        if (mac == null) {
            throw new IllegalStateException("no neighbour entry for " + Ipv4.format(ipv4) + " on " + iface
                    + ": an AF_XDP sender does not do ARP. Add one (ip neigh replace " + Ipv4.format(ipv4)
                    + " lladdr <mac> dev " + iface + " nud permanent) or make the kernel resolve it first (ping it)");
        }
        return mac;
    }

    /** The complete entry for {@code ipv4} on {@code iface} in {@code /proc/net/arp} lines, or null. */
    static Long parseArp(List<String> lines, int ipv4, String iface) {
        String want = Ipv4.format(ipv4);
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            // IP address, HW type, Flags, HW address, Mask, Device
            if (f.length < 6 || !f[0].equals(want) || !f[5].equals(iface)) {
                continue;
            }
            int flags;
            try {
                flags = Integer.decode(f[2]);
            } catch (NumberFormatException e) {
                continue;
            }
            if ((flags & ATF_COM) != 0) {
                return UdpFrame.parseMac(f[3]);
            }
        }
        return null;
    }
}
