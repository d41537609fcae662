package io.dint.bench;

import io.dint.cluster.CoreSplit;
import io.dint.cluster.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time of the server side and of the client side of a split local cluster, in microseconds.
 * {@code serverBusy} is the work of the server's own tasks — the NAPI threads of the server
 * interfaces (where XDP runs) and the server processes, from their schedstat — so other load on
 * a shared machine does not count as the server's; {@code serverCpuBusy} and {@code serverTotal}
 * are the server CPUs' busy (user, nice, system, irq, softirq, steal) and total time from
 * {@code /proc/stat} ({@link MachineCpu}), which say whether those CPUs were full. The same for the client side (its
 * interfaces' and the bridge ports' NAPI threads, its processes and this JVM). Without a split
 * every field is zero.
 */
public record CoreTimes(long serverBusy, long serverCpuBusy, long serverTotal,
                        long clientBusy, long clientCpuBusy, long clientTotal) {
    /** A side whose CPUs were at least this busy (steal included) was the wall. */
    public static final double SATURATED = 0.95;

    public static CoreTimes read(LocalCluster cluster) {
        CoreSplit split = cluster == null ? null : cluster.split();
        if (split == null) {
            return new CoreTimes(0, 0, 0, 0, 0, 0);
        }
        MachineCpu[] cpus = MachineCpu.perCpu();
        MachineCpu s = MachineCpu.sum(cpus, split.serverCpus());
        MachineCpu c = MachineCpu.sum(cpus, split.clientCpus());
        List<Long> clientTasks = new ArrayList<>(cluster.tasks(false));
        clientTasks.add(ProcessHandle.current().pid());
        return new CoreTimes(taskMicros(cluster.tasks(true)), s.busyMicros(), s.totalMicros(), taskMicros(clientTasks),
                c.busyMicros(), c.totalMicros());
    }

    public CoreTimes minus(CoreTimes o) {
        return new CoreTimes(serverBusy - o.serverBusy, serverCpuBusy - o.serverCpuBusy, serverTotal - o.serverTotal,
                clientBusy - o.clientBusy, clientCpuBusy - o.clientCpuBusy, clientTotal - o.clientTotal);
    }

    /** Share of the server CPUs' time they were busy, by anything (NaN without a split): 0.95 or more is full. */
    public double serverShare() {
        return serverTotal == 0 ? Double.NaN : (double) serverCpuBusy / serverTotal;
    }

    public double clientShare() {
        return clientTotal == 0 ? Double.NaN : (double) clientCpuBusy / clientTotal;
    }

    /** Share of the server CPUs' time the server's own tasks ran. */
    public double serverWorkShare() {
        return serverTotal == 0 ? Double.NaN : (double) serverBusy / serverTotal;
    }

    /** CPU time of every thread of the given tasks (/proc/PID/task/TID/schedstat: nanoseconds on CPU). */
    static long taskMicros(List<Long> pids) {
        long ns = 0;
        for (long pid : pids) {
            Path tasks = Path.of("/proc", Long.toString(pid), "task");
            try (var threads = Files.list(tasks)) {
                for (Path t : threads.toList()) {
                    try {
                        String f = Files.readString(t.resolve("schedstat"));
                        ns += Long.parseLong(f.substring(0, f.indexOf(' ')));
                    } catch (IOException | RuntimeException e) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException e) {
                // the task ended meanwhile
            }
        }
        return ns / 1000;
    }
}
