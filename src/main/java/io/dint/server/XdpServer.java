package io.dint.server;

import io.dint.bpf.BpfLink;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.BpfStats;
import io.dint.bpf.NetIf;
import io.dint.bpf.ProgStats;
import io.dint.wire.Wire;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

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
    private final Function<BpfObject, Map<String, Object>> check;

    /**
     * @param object a loaded service object
     * @param program name of its XDP program
     * @param iface interface to attach to
     * @param check reads the service's maps at quiescence
     */
    public XdpServer(BpfObject object, String program, String iface, Function<BpfObject, Map<String, Object>> check) {
        this.object = object;
        this.program = object.program(program);
        this.check = check;
        this.bpfStats = BpfStats.enable();
        this.link = this.program.attachXdp(NetIf.index(iface));
    }

    /**
     * Opens the bundled object {@code name}, sizes its table map {@code table} to
     * {@code tableSize} entries, writes its config (answering frames sent to {@code mac}, all zero:
     * any frame, for test-run fixtures; from the sources {@code allow} allows) and loads it.
     */
    public static BpfObject load(String name, String table, int tableSize, byte[] mac, Allowlist allow) {
        BpfObject obj = BpfObject.openBundled(name);
        try {
            obj.map(table).setMaxEntries(tableSize);
            configure(obj, mac, tableSize, allow);
            obj.load();
            allow.fill(obj);
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /**
     * Writes the object's {@code struct dint_config} (.rodata) before load; once it is loaded,
     * {@link Allowlist#fill} writes the allowlist's prefixes.
     */
    public static void configure(BpfObject object, byte[] mac, int tableSize, Allowlist allow) {
        if (mac.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + mac.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cfg = arena.allocate(Wire.CONFIG);
            MemorySegment.copy(mac, 0, cfg, ValueLayout.JAVA_BYTE, Wire.CONFIG_MAC, 6);
            cfg.set(ValueLayout.JAVA_INT, Wire.CONFIG_TABLE, tableSize);
            allow.configure(cfg);
            object.map(".rodata").setInitialValue(cfg);
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
        return check.apply(object);
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
