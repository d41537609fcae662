package io.dint.xsk;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.net.Ipv4;
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
    private static final int ETHTOOL_GCHANNELS = 0x3c;
    private static final int ATF_COM = 0x2;

    /** Reads the interface {@code name} of the calling thread's namespace. */
    static NetLink of(String name) {
        if (name.isEmpty() || name.length() > 15) {
            throw new IllegalArgumentException("not an interface name: '" + name + "'");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = Syscalls.newCapture(a);
            int fd = (int) Syscalls.SOCKET.invokeExact(capture, Syscalls.AF_INET, Syscalls.SOCK_DGRAM | Syscalls.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Syscalls.error("socket(AF_INET, SOCK_DGRAM)", Syscalls.errno(capture), null);
            }
            try {
                MemorySegment req = a.allocate(Syscalls.IFREQ_SIZE, 8);
                if (ioctl(fd, Syscalls.SIOCGIFINDEX, req, name, capture) < 0) {
                    int e = Syscalls.errno(capture);
                    throw Syscalls.error("looking up interface '" + name + "' (SIOCGIFINDEX)", e,
                            e == Syscalls.ENODEV ? "No such interface in this network namespace: check the name with ip link" : null);
                }
                int index = req.get(JAVA_INT, 16);
                if (ioctl(fd, Syscalls.SIOCGIFHWADDR, req, name, capture) < 0) {
                    throw Syscalls.error("reading the MAC of '" + name + "' (SIOCGIFHWADDR)", Syscalls.errno(capture), null);
                }
                long mac = UdpFrame.mac(req, 18); // sockaddr.sa_data
                int ipv4 = 0;
                if (ioctl(fd, Syscalls.SIOCGIFADDR, req, name, capture) == 0) {
                    ipv4 = req.get(JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), 20); // sockaddr_in.sin_addr
                }
                if (ioctl(fd, Syscalls.SIOCGIFMTU, req, name, capture) < 0) {
                    throw Syscalls.error("reading the MTU of '" + name + "' (SIOCGIFMTU)", Syscalls.errno(capture), null);
                }
                int mtu = req.get(JAVA_INT, 16);
                int queues = 1;
                MemorySegment channels = a.allocate(36, 4); // struct ethtool_channels: 9 u32
                channels.set(JAVA_INT, 0, ETHTOOL_GCHANNELS);
                req.fill((byte) 0);
                req.setString(0, name);
                req.set(java.lang.foreign.ValueLayout.ADDRESS, 16, channels);
                int r = (int) Syscalls.IOCTL.invokeExact(capture, fd, (long) Syscalls.SIOCETHTOOL, req);
                if (r == 0) {
                    int rx = channels.get(JAVA_INT, 20);
                    int combined = channels.get(JAVA_INT, 32);
                    // NICs count queue pairs as combined channels; veth reports rx (and combined = min(rx, tx)).
                    queues = Math.max(1, Math.max(rx, combined));
                }
                return new NetLink(name, index, mac, ipv4, mtu, queues);
            } finally {
                Syscalls.close(fd);
            }
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    private static int ioctl(int fd, int request, MemorySegment req, String name, MemorySegment capture) throws Throwable {
        req.fill((byte) 0);
        req.setString(0, name);
        return (int) Syscalls.IOCTL.invokeExact(capture, fd, (long) request, req);
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
