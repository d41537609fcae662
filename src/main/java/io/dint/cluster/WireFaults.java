package io.dint.cluster;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Handle;
import io.dint.bpf.ObjectSpec;
import io.dint.bpf.NetIf;
import io.dint.bpf.TcAttachment;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Faults on the local cluster's wire ({@code chaos.bpf.c}): a TC egress program on every bridge
 * port that drops, duplicates and reorders a share of DINT's frames on their way to a host, with
 * counters of what it did. A reordered frame is sent through a detour (a veth pair {@code rd0} /
 * {@code rd1} in the bridge's namespace whose far end sends it back out of its port), so frames sent
 * after it overtake it. Frames cross the bridge as skbs only in a cluster without the XDP switch (no
 * {@link CoreSplit}): the faults act there.
 */
public final class WireFaults implements AutoCloseable {
    /** struct chaos_faults (chaos.h). */
    public static final StructLayout FAULTS = MemoryLayout.structLayout(
            JAVA_INT.withName("drop_ppm"),
            JAVA_INT.withName("dup_ppm"),
            JAVA_INT.withName("reorder_ppm"),
            JAVA_INT.withName("detour_ifindex"),
            JAVA_INT.withName("port_ifindex"),
            JAVA_INT.withName("pad")).withName("chaos_faults");

    /** enum chaos_stat. */
    public static final int SEEN = 0, DROPPED = 1, DUPLICATED = 2, REORDERED = 3, DETOURED = 4;
    private static final String DETOUR_IN = "rd0", DETOUR_OUT = "rd1";

    /** Faults of the frames to one host; shares of frames in [0, 1]. */
    public record Faults(double drop, double duplicate, double reorder) {
        public static final Faults NONE = new Faults(0, 0, 0);

        public Faults {
            for (double p : new double[] {drop, duplicate, reorder}) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("a fault share is between 0 and 1, got " + p);
                }
            }
        }
    }

    /**
     * The loaded program and what it is attached to, found once in the bridge's namespace: each host's
     * port by host name and the detour's entry, as ifindexes there.
     */
    /** {@code chaos.bpf.o} loaded: the egress and detour programs, the faults by port and the counters. */
    private record ChaosObject(BpfObject object, @Handle("chaos_egress") BpfProgram egress,
            @Handle("chaos_detour") BpfProgram detour, @Handle("faults") BpfMap faults, @Handle("chaos_stats") BpfMap stats) {}

    private record Attached(ChaosObject object, Map<String, Integer> portOf, int detour, List<TcAttachment> attachments) {}

    private final LocalCluster cluster;
    private final Attached attached;

    private WireFaults(LocalCluster cluster, Attached attached) {
        this.cluster = cluster;
        this.attached = attached;
    }

    /** Puts the fault program on every bridge port of {@code cluster} and builds the detour; no faults yet. */
    public static WireFaults attach(LocalCluster cluster) {
        if (cluster.split() != null) {
            throw new IllegalArgumentException("wire faults act on frames crossing the Linux bridge: build the cluster without a"
                    + " core split (its XDP switch forwards frames around the bridge)");
        }
        ChaosObject obj = ObjectSpec.of("chaos").load(ChaosObject.class);
        List<TcAttachment> attachments = new ArrayList<>();
        Map<String, Integer> portOf = new LinkedHashMap<>();
        int[] detour = new int[1];
        try {
            IpCommand.batch(cluster.bridgeNetns(), List.of("link add " + DETOUR_IN + " type veth peer name " + DETOUR_OUT,
                    "link set " + DETOUR_IN + " up", "link set " + DETOUR_OUT + " up"));
            Namespaces.inside(cluster.bridgeNetns(), () -> {
                detour[0] = NetIf.index(DETOUR_IN);
                attachments.add(obj.detour().attachTcIngress(NetIf.index(DETOUR_OUT)));
                for (Host h : cluster.hosts()) {
                    int port = NetIf.index(cluster.bridgePort(h));
                    portOf.put(h.name(), port);
                    attachments.add(obj.egress().attachTcEgress(port));
                }
            });
            return new WireFaults(cluster, new Attached(obj, portOf, detour[0], attachments));
        } catch (RuntimeException e) {
            obj.object().close(); // the namespace's filters go with the cluster
            throw e;
        }
    }

    /** Sets the faults of every frame to {@code host} (replacing what it had). */
    public void set(Host host, Faults f) {
        Integer port = attached.portOf().get(host.name());
        if (port == null) {
            throw new IllegalArgumentException("host " + host.name() + " is not a host of " + cluster);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(JAVA_INT);
            key.set(JAVA_INT, 0, port);
            MemorySegment v = arena.allocate(FAULTS);
            v.set(JAVA_INT, 0, ppm(f.drop()));
            v.set(JAVA_INT, 4, ppm(f.duplicate()));
            v.set(JAVA_INT, 8, ppm(f.reorder()));
            v.set(JAVA_INT, 12, attached.detour());
            v.set(JAVA_INT, 16, port);
            attached.object().faults().update(key, v);
        }
    }

    /** Sets the same faults on the way to every host. */
    public void setAll(Faults f) {
        cluster.hosts().forEach(h -> set(h, f));
    }

    private static int ppm(double share) {
        return (int) Math.round(share * 1_000_000);
    }

    /** What was done so far: frames seen, dropped, duplicated, reordered, and back from the detour (all ports). */
    public Map<String, Long> counters() {
        BpfMap stats = attached.object().stats();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("seen", stats.sumPerCpuLong(SEEN));
        m.put("dropped", stats.sumPerCpuLong(DROPPED));
        m.put("duplicated", stats.sumPerCpuLong(DUPLICATED));
        m.put("reordered", stats.sumPerCpuLong(REORDERED));
        m.put("detoured", stats.sumPerCpuLong(DETOURED));
        return m;
    }

    /** Removes the program (the detour goes with the cluster); in the bridge's namespace, where the ifindexes are. */
    @Override
    public void close() {
        try {
            Namespaces.inside(cluster.bridgeNetns(), () -> attached.attachments().forEach(TcAttachment::close));
        } finally {
            attached.object().object().close();
        }
    }
}
