package io.dint.cluster;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.NetIf;
import io.dint.bpf.TcAttachment;
import io.dint.net.NetNs;
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

    private final LocalCluster cluster;
    private final BpfObject object;
    private final List<TcAttachment> attachments;

    private WireFaults(LocalCluster cluster, BpfObject object, List<TcAttachment> attachments) {
        this.cluster = cluster;
        this.object = object;
        this.attachments = attachments;
    }

    /** Puts the fault program on every bridge port of {@code cluster} and builds the detour; no faults yet. */
    public static WireFaults attach(LocalCluster cluster) {
        if (cluster.split() != null) {
            throw new IllegalArgumentException("wire faults act on frames crossing the Linux bridge: build the cluster without a"
                    + " core split (its XDP switch forwards frames around the bridge)");
        }
        BpfObject obj = BpfObject.openBundled("chaos");
        List<TcAttachment> attached = new ArrayList<>();
        try {
            obj.load();
            IpCommand.batch(cluster.bridgeNetns(), List.of("link add " + DETOUR_IN + " type veth peer name " + DETOUR_OUT,
                    "link set " + DETOUR_IN + " up", "link set " + DETOUR_OUT + " up"));
            LocalCluster.onPlatformThread(() -> {
                try (var _ = NetNs.enterTemporarily(cluster.bridgeNetns())) {
                    attached.add(obj.program("chaos_detour").attachTcIngress(NetIf.index(DETOUR_OUT)));
                    for (Host h : cluster.hosts()) {
                        attached.add(obj.program("chaos_egress").attachTcEgress(NetIf.index(cluster.bridgePort(h))));
                    }
                }
            });
            return new WireFaults(cluster, obj, attached);
        } catch (RuntimeException e) {
            obj.close(); // the namespace's filters go with the cluster
            throw e;
        }
    }

    /** Sets the faults of every frame to {@code host} (replacing what it had). */
    public void set(Host host, Faults f) {
        int[] ifindex = new int[2];
        LocalCluster.onPlatformThread(() -> {
            try (var _ = NetNs.enterTemporarily(cluster.bridgeNetns())) {
                ifindex[0] = NetIf.index(cluster.bridgePort(host));
                ifindex[1] = NetIf.index(DETOUR_IN);
            }
        });
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(JAVA_INT);
            key.set(JAVA_INT, 0, ifindex[0]);
            MemorySegment v = arena.allocate(FAULTS);
            v.set(JAVA_INT, 0, ppm(f.drop()));
            v.set(JAVA_INT, 4, ppm(f.duplicate()));
            v.set(JAVA_INT, 8, ppm(f.reorder()));
            v.set(JAVA_INT, 12, ifindex[1]);
            v.set(JAVA_INT, 16, ifindex[0]);
            object.map("faults").update(key, v);
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
        BpfMap stats = object.map("chaos_stats");
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
            LocalCluster.onPlatformThread(() -> {
                try (var _ = NetNs.enterTemporarily(cluster.bridgeNetns())) {
                    attachments.forEach(TcAttachment::close);
                }
            });
        } finally {
            object.close();
        }
    }
}
