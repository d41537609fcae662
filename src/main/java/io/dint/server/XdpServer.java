package io.dint.server;

import io.dint.bpf.BpfLink;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.BpfStats;
import io.dint.bpf.NetIf;
import io.dint.bpf.ProgStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code xdp} backend's common half: a loaded service object whose XDP program is attached
 * to an interface through a link (detached when this process dies), with run-time statistics
 * enabled, and its per-CPU {@code stats} map read as the same counters the Java backends keep.
 */
public final class XdpServer implements ServiceServer {
    private final BpfObject object;
    private final BpfProgram program;
    private final BpfLink link;
    private final BpfStats bpfStats;
    private final Supplier<Map<String, Object>> check;

    /**
     * Takes over {@code object} and attaches its XDP program to {@code iface}.
     *
     * @param check reads the service's maps at quiescence
     */
    public XdpServer(ServiceObject object, String iface, Supplier<Map<String, Object>> check) {
        this.object = object.object();
        this.program = object.xdp();
        this.check = check;
        this.bpfStats = BpfStats.enable();
        try {
            this.link = this.program.attachXdp(NetIf.index(iface));
        } catch (RuntimeException e) {
            bpfStats.close();
            object.close();
            throw e;
        }
    }

    /** The interface's MAC address, from sysfs. */
    public static byte[] interfaceMac(String iface) {
        Path p = Path.of("/sys/class/net", iface, "address");
        try {
            String[] hex = Files.readString(p).trim().split(":");
            byte[] mac = new byte[6];
            for (int i = 0; i < 6; i++) {
                mac[i] = (byte) Integer.parseInt(hex[i], 16);
            }
            return mac;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the MAC address of interface '" + iface + "' from " + p
                    + ": is the interface name right (see ip link)?", e);
        }
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = StatCounters.read(object).named();
        ProgStats p = program.stats();
        m.put("xdp_run_time_ns", p.runTimeNs());
        m.put("xdp_run_count", p.runCount());
        return m;
    }

    @Override
    public Map<String, long[]> perCpuStats() {
        return StatCounters.perCpuNamed(object);
    }

    @Override
    public Map<String, Object> check() {
        return check.get();
    }

    /** Pins the XDP link at {@code path}: the program stays attached when this process dies. */
    public void pinLink(java.nio.file.Path path) {
        link.pin(path);
    }

    @Override
    public void close() {
        link.close();
        bpfStats.close();
        object.close();
    }
}
