package io.dint.cluster;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.bpf.BpfLink;
import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.NetIf;
import io.dint.net.NetNs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The bridge ports' XDP switch ({@code bridge_fwd.bpf.c}): one loaded program attached to every
 * bridge-side port, redirecting frames by destination MAC straight to the port of that host, so
 * frames sent by XDP stay xdp_frames across the wire. Frames for unknown addresses go on to the
 * Linux bridge. Attached through bpf_links owned by this process: they go with it (or with the
 * namespace).
 */
final class BridgeForwarding implements AutoCloseable {
    private final BpfObject object;
    private final List<BpfLink> links;

    private BridgeForwarding(BpfObject object, List<BpfLink> links) {
        this.object = object;
        this.links = links;
    }

    /** Loads the switch and attaches it to the port of every host; call on a thread inside {@code bridgeNs}. */
    static BridgeForwarding attach(String bridgeNs, List<Host> hosts, java.util.function.Function<Host, String> portOf) {
        List<BpfLink> links = new ArrayList<>();
        BpfObject obj = BpfObject.openBundled("bridge_fwd");
        try (var _ = NetNs.enterTemporarily(bridgeNs); Arena arena = Arena.ofConfined()) {
            obj.load();
            BpfMap macPort = obj.map("mac_port");
            BpfMap ports = obj.map("ports");
            MemorySegment key = arena.allocate(JAVA_LONG);
            MemorySegment index = arena.allocate(JAVA_INT);
            MemorySegment ifindex = arena.allocate(JAVA_INT);
            for (int i = 0; i < hosts.size(); i++) {
                Host h = hosts.get(i);
                int port = NetIf.index(portOf.apply(h));
                ifindex.set(JAVA_INT, 0, port);
                ports.update(i, ifindex);
                key.set(JAVA_LONG, 0, macKey(h.mac()));
                index.set(JAVA_INT, 0, i);
                macPort.update(key, index);
            }
            for (Host h : hosts) {
                links.add(obj.program("bridge_fwd").attachXdp(NetIf.index(portOf.apply(h))));
            }
            return new BridgeForwarding(obj, links);
        } catch (RuntimeException e) {
            links.forEach(BpfLink::close);
            obj.close();
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

    @Override
    public void close() {
        links.forEach(BpfLink::close);
        object.close();
    }
}
