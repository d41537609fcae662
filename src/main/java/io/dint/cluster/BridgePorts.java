package io.dint.cluster;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.bpf.BpfLink;
import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Handle;
import io.dint.bpf.ObjectSpec;
import io.dint.bpf.NetIf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The XDP program on every bridge-side port of a local cluster, one of two:
 * <ul>
 *   <li>{@link #pass} ({@code pass.bpf.c}): XDP_PASS, because native XDP_TX on a veth is dropped
 *       unless its peer runs an XDP program too;</li>
 *   <li>{@link #forwarding} ({@code bridge_fwd.bpf.c}): a switch that redirects a frame by destination
 *       MAC straight to that host's port, so frames sent by XDP stay xdp_frames across the wire;
 *       frames for unknown addresses go on to the Linux bridge.</li>
 * </ul>
 * Attached in native mode through bpf_links owned by this process: they go when it closes them, when
 * it dies, or with the namespace.
 */
final class BridgePorts implements AutoCloseable {
    /** A loaded object with the XDP program to put on every port. */
    private interface PortProgram {
        BpfObject object();

        BpfProgram xdp();
    }

    /** {@code pass.bpf.o} loaded. */
    private record Pass(BpfObject object, @Handle("pass_xdp") BpfProgram xdp) implements PortProgram {}

    /** {@code bridge_fwd.bpf.o} loaded: the switch and its tables, host index by MAC and port by host index. */
    private record Switch(BpfObject object, @Handle("bridge_fwd") BpfProgram xdp, @Handle("mac_port") BpfMap macPort,
            @Handle("ports") BpfMap ports) implements PortProgram {}

    private final BpfObject object;
    private final List<BpfLink> links;

    private BridgePorts(BpfObject object, List<BpfLink> links) {
        this.object = object;
        this.links = links;
    }

    /** Puts XDP_PASS on the port of every host of {@code topology}. */
    static BridgePorts pass(Topology topology) {
        try {
            return attach(topology, () -> ObjectSpec.of("pass").load(Pass.class), _ -> {});
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot attach the XDP_PASS program to the bridge ports of cluster "
                    + topology.tag() + " in native mode (needed for XDP_TX on the hosts' veths): " + e.getMessage(), e);
        }
    }

    /** Puts the XDP switch on the port of every host of {@code topology}, which it knows by MAC. */
    static BridgePorts forwarding(Topology topology) {
        List<Host> hosts = topology.hosts();
        return attach(topology, () -> ObjectSpec.of("bridge_fwd").load(Switch.class), obj -> {
            BpfMap macPort = obj.macPort();
            BpfMap ports = obj.ports();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(JAVA_LONG);
                MemorySegment index = arena.allocate(JAVA_INT);
                MemorySegment ifindex = arena.allocate(JAVA_INT);
                for (int i = 0; i < hosts.size(); i++) {
                    Host h = hosts.get(i);
                    ifindex.set(JAVA_INT, 0, NetIf.index(topology.bridgePort(h)));
                    ports.update(i, ifindex);
                    key.set(JAVA_LONG, 0, macKey(h.mac()));
                    index.set(JAVA_INT, 0, i);
                    macPort.update(key, index);
                }
            }
        });
    }

    /**
     * Loads an object ({@code load}), lets {@code fill} fill its maps, and attaches its program to
     * every port: all inside the bridge's namespace, where the ports' ifindexes are.
     */
    private static <T extends PortProgram> BridgePorts attach(Topology topology, Supplier<T> load, Consumer<T> fill) {
        List<BpfLink> links = new ArrayList<>();
        List<T> loaded = new ArrayList<>(1);
        try {
            Namespaces.inside(topology.bridgeNs(), () -> {
                T obj = load.get();
                loaded.add(obj);
                fill.accept(obj);
                for (Host h : topology.hosts()) {
                    links.add(obj.xdp().attachXdp(NetIf.index(topology.bridgePort(h))));
                }
            });
            return new BridgePorts(loaded.getFirst().object(), links);
        } catch (RuntimeException e) {
            links.forEach(BpfLink::close);
            loaded.forEach(o -> o.object().close());
            throw e;
        }
    }

    /** The MAC's six bytes in wire order, zero-extended, read as a little-endian u64 (as the program does). */
    static long macKey(String mac) {
        String[] p = mac.split(":");
        long v = 0;
        for (int i = 5; i >= 0; i--) {
            v = (v << 8) | Integer.parseInt(p[i], 16);
        }
        return v;
    }

    /** Detaches the program from every port. */
    @Override
    public void close() {
        links.forEach(BpfLink::close);
        object.close();
    }
}
