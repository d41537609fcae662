package io.dint.bench;

import io.dint.cluster.CoreSplit;
import io.dint.cluster.LocalCluster;
import java.util.ArrayList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time of the server side and of the client side of a split local cluster, in microseconds.
 * {@code serverBusy} is the work of the server's own tasks — the NAPI threads of the server
 * interfaces (where XDP runs) and the server processes, from their schedstat — so other load on
 * a shared machine does not count as the server's; {@code serverCpuBusy} and {@code serverTotal}
 * are the server CPUs' busy (user, nice, system, irq, softirq, steal) and total time from
 * {@code /proc/stat}, which say whether those CPUs were full. The same for the client side (its
 * interfaces' and the bridge ports' NAPI threads, its processes and this JVM). Without a split
 * every field is zero.
 */
public record CoreTimes(long serverBusy, long serverCpuBusy, long serverTotal,
                        long clientBusy, long clientCpuBusy, long clientTotal) {
    private static final long MICROS_PER_TICK = 1_000_000 / 100; // USER_HZ is 100 on Linux
    /** A side whose CPUs were at least this busy (steal included) was the wall. */
    public static final double SATURATED = 0.95;

    public static CoreTimes read(LocalCluster cluster) {
        CoreSplit split = cluster == null ? null : cluster.split();
        if (split == null) {
            return new CoreTimes(0, 0, 0, 0, 0, 0);
        }
        long[][] cpus = perCpu();
        long[] s = sum(cpus, split.serverCpus());
        long[] c = sum(cpus, split.clientCpus());
        List<Long> clientTasks = new ArrayList<>(cluster.tasks(false));
        clientTasks.add(ProcessHandle.current().pid());
        return new CoreTimes(taskMicros(cluster.tasks(true)), s[0] + s[1], s[2], taskMicros(clientTasks), c[0] + c[1], c[2]);
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

    /** {busy, steal, total} per CPU, indexed by CPU number. */
    private static long[][] perCpu() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            long[][] out = new long[CoreSplit.onlineCpus()][];
            for (String line : lines) {
                if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                int cpu = Integer.parseInt(f[0].substring(3));
                if (cpu >= out.length) {
                    continue;
                }
                long user = Long.parseLong(f[1]), nice = Long.parseLong(f[2]), system = Long.parseLong(f[3]);
                long idle = Long.parseLong(f[4]), iowait = Long.parseLong(f[5]), irq = Long.parseLong(f[6]);
                long softirq = Long.parseLong(f[7]), steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
                long busy = user + nice + system + irq + softirq;
                out[cpu] = new long[] {busy * MICROS_PER_TICK, steal * MICROS_PER_TICK,
                        (busy + steal + idle + iowait) * MICROS_PER_TICK};
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }

    private static long[] sum(long[][] cpus, List<Integer> which) {
        long[] s = new long[3];
        for (int c : which) {
            if (c < cpus.length && cpus[c] != null) {
                for (int i = 0; i < 3; i++) {
                    s[i] += cpus[c][i];
                }
            }
        }
        return s;
    }
}
