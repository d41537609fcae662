package io.dint.server;

import io.dint.bpf.BpfLink;
import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.BpfStats;
import io.dint.bpf.NetIf;
import io.dint.bpf.ProgStats;
import io.dint.wire.Stat;
import java.util.LinkedHashMap;
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

    @Override
    public Map<String, Object> stats() {
        BpfMap stats = object.map("stats");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < Stat.MAX; i++) {
            m.put(Stat.name(i), stats.sumPerCpuLong(i));
        }
        ProgStats p = program.stats();
        m.put("xdp_run_time_ns", p.runTimeNs());
        m.put("xdp_run_count", p.runCount());
        return m;
    }

    @Override
    public Map<String, Object> check() {
        return check.apply(object);
    }

    @Override
    public void close() {
        link.close();
        bpfStats.close();
        object.close();
    }
}
