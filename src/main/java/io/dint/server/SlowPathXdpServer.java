package io.dint.server;

import io.dint.bpf.BpfProgram;
import io.dint.bpf.NetIf;
import io.dint.bpf.ProgStats;
import io.dint.bpf.TcAttachment;
import io.dint.net.Ipv4;
import io.dint.net.UdpSocket;
import io.dint.wire.Wire;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code xdp} backend of a service with an in-kernel cache: a loaded object's XDP program
 * attached to the interface, its TC egress program installing what the slow path answers, and the
 * slow path — a {@link DatagramService} on UDP sockets of the same port, sending without UDP
 * checksum (the TC program shrinks the reply). Counters are the kernel's, the slow path's
 * prefixed {@code slow_}.
 */
public final class SlowPathXdpServer implements ServiceServer {
    private final BpfProgram tcProgram;
    private final UdpServer slowPath;
    private final TcAttachment tc;
    private final XdpServer xdp;
    private final java.nio.file.Path linkPin;

    /**
     * Takes over {@code object} and {@code slow} (closed with the server, or at once if it cannot
     * start).
     *
     * @param threads slow-path threads
     * @param allow   the sources the slow path serves (those the object's programs allow)
     * @param check   reads the object's maps (and the slow path's data) at quiescence
     */
    public SlowPathXdpServer(SlowPathObject object, String iface, DatagramService slow, int threads, Allowlist allow,
                             Supplier<Map<String, Object>> check) {
        this(object, iface, slow, threads, allow, null, check);
    }

    /**
     * As above; with a {@code pinDir} the XDP link is pinned there, so that the program keeps
     * serving when this process is killed. A process started in place of a killed one (the link
     * pinned there already) first detaches its predecessor's program and TC filter, then attaches
     * its own — to the same pinned maps.
     */
    public SlowPathXdpServer(SlowPathObject object, String iface, DatagramService slow, int threads, Allowlist allow,
                             java.nio.file.Path pinDir, Supplier<Map<String, Object>> check) {
        UdpServer server = null;
        TcAttachment egress = null;
        this.linkPin = pinDir == null ? null : pinDir.resolve("xdp_link");
        try {
            if (linkPin != null && java.nio.file.Files.exists(linkPin)) {
                java.nio.file.Files.delete(linkPin); // the predecessor's link: detached with its last reference
                TcAttachment.removeQdisc(NetIf.index(iface));
            }
            server = new UdpServer(slow, Ipv4.ANY, Wire.PORT, threads, allow, UdpSocket::disableChecksum);
            egress = object.tc().attachTcEgress(NetIf.index(iface));
            this.xdp = new XdpServer(object, iface, check);
            if (linkPin != null) {
                xdp.pinLink(linkPin);
            }
        } catch (java.io.IOException e) {
            object.close();
            throw new java.io.UncheckedIOException("cannot replace the XDP link pinned at " + linkPin, e);
        } catch (RuntimeException e) {
            if (egress != null) {
                egress.close();
            }
            if (server != null) {
                server.close();
            } else if (slow instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            object.close();
            throw e;
        }
        this.tcProgram = object.tc();
        this.slowPath = server;
        this.tc = egress;
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>(xdp.stats());
        ProgStats p = tcProgram.stats();
        m.put("tc_run_time_ns", p.runTimeNs());
        m.put("tc_run_count", p.runCount());
        slowPath.stats().forEach((k, v) -> m.put(StatCounters.SLOW_PATH_PREFIX + k, v));
        return m;
    }

    @Override
    public Map<String, Object> check() {
        return xdp.check();
    }

    @Override
    public Map<String, long[]> perCpuStats() {
        return xdp.perCpuStats();
    }

    @Override
    public void close() {
        if (linkPin != null) {
            try {
                java.nio.file.Files.deleteIfExists(linkPin); // so that closing the link detaches it
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot unpin the XDP link at " + linkPin, e);
            }
        }
        xdp.close(); // detaches XDP first: nothing new reaches the slow path
        tc.close();
        slowPath.close();
    }
}
