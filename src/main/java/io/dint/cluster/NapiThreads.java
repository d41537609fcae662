package io.dint.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Threaded NAPI: moves an interface's receive poll into a kernel thread {@code napi/<dev>-<id>} and
 * pins that thread to chosen CPUs. The interface must already receive in NAPI (a veth does once it
 * has an XDP program or GRO on). The thread is found as the one that appears when threading is
 * turned on; a lock file keeps two of our processes from doing that at once. The thread ends with
 * its interface, so deleting the namespace undoes everything.
 *
 * <p>An instance does it for a whole cluster with a {@link CoreSplit}: the server interfaces' polls on
 * the server CPUs, the client interfaces' and the bridge ports' on the client CPUs, and it remembers
 * which threads serve which side.
 */
final class NapiThreads {
    private static final Path LOCK = Path.of("/run/dint/napi.lock");

    private final Topology topology;
    private final CoreSplit split;
    private final List<Long> serverThreads = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> clientThreads = Collections.synchronizedList(new ArrayList<>());

    NapiThreads(Topology topology, CoreSplit split) {
        this.topology = topology;
        this.split = split;
    }

    /** Turns GRO on for every host interface: a veth then receives in NAPI, whatever its host runs. */
    void receiveInNapi() {
        for (Host h : topology.hosts()) {
            try {
                IpCommand.run(List.of(IpCommand.IP, "netns", "exec", h.netns(), "ethtool", "-K", h.iface(), "gro", "on"), null);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("cannot turn GRO on for " + h.iface() + " of host " + h.name()
                        + " (needs ethtool; the veth then receives in NAPI): " + e.getMessage(), e);
            }
        }
    }

    /**
     * Moves every host interface's and bridge port's poll into pinned kernel threads ({@code true}; once
     * is enough) or back into softirq on the CPU that scheduled it ({@code false}).
     */
    synchronized void threaded(boolean on) {
        if (!on) {
            for (Host h : topology.hosts()) {
                unthread(h.netns(), h.iface());
                unthread(topology.bridgeNs(), topology.bridgePort(h));
            }
            serverThreads.clear();
            clientThreads.clear();
            return;
        }
        if (!serverThreads.isEmpty() || !clientThreads.isEmpty()) {
            return;
        }
        for (Host h : topology.hosts()) {
            boolean server = topology.isServer(h);
            (server ? serverThreads : clientThreads).addAll(threadAndPin(h.netns(), h.iface(), split.list(server)));
            clientThreads.addAll(threadAndPin(topology.bridgeNs(), topology.bridgePort(h), split.list(false)));
        }
    }

    /** The NAPI threads doing the servers' work ({@code servers}) or the clients' and the wire's. */
    List<Long> threads(boolean servers) {
        synchronized (servers ? serverThreads : clientThreads) {
            return List.copyOf(servers ? serverThreads : clientThreads);
        }
    }

    /** Turns on threaded NAPI for {@code dev} in {@code netns} (null: this process's) and pins its threads to {@code cpus}. */
    static List<Long> threadAndPin(String netns, String dev, String cpus) {
        Set<Long> before;
        Set<Long> after;
        try {
            Files.createDirectories(LOCK.getParent());
            try (FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock _ = ch.lock()) {
                before = napiThreads(dev);
                try {
                    IpCommand.run(inNamespace(netns, "echo 1 > /sys/class/net/" + dev + "/threaded"), null);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("cannot turn on threaded NAPI for " + dev + " in " + netns
                            + " (the interface needs NAPI: an XDP program or GRO on): " + e.getMessage(), e);
                }
                after = napiThreads(dev);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + LOCK, e);
        }
        after.removeAll(before);
        if (after.isEmpty()) {
            throw new IllegalStateException("threaded NAPI is on for " + dev + " in " + netns + " but no napi/" + dev
                    + "-* kernel thread appeared");
        }
        for (long pid : after) {
            IpCommand.run(List.of("taskset", "-p", "-c", cpus, Long.toString(pid)), null);
        }
        return List.copyOf(after);
    }

    /** Turns threaded NAPI off for {@code dev} in {@code netns}: its polls run in softirq again, on the CPU that scheduled them. */
    static void unthread(String netns, String dev) {
        IpCommand.run(inNamespace(netns, "echo 0 > /sys/class/net/" + dev + "/threaded"), null);
    }

    /** {@code sh -c script}, under {@code ip netns exec netns} unless {@code netns} is null (this process's). */
    private static List<String> inNamespace(String netns, String script) {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of(IpCommand.IP, "netns", "exec", netns));
        }
        cmd.addAll(List.of("sh", "-c", script));
        return cmd;
    }

    /** Pids of the kernel threads named {@code napi/<dev>-*}. */
    private static Set<Long> napiThreads(String dev) {
        String prefix = "napi/" + dev + "-";
        return new HashSet<>(ProcessNames.pids(comm -> comm.startsWith(prefix)));
    }
}
