package io.dint.bench;

import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.cluster.LocalCluster;
import io.dint.net.NetNs;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Runs load-generating threads inside a client namespace and measures one window: after a
 * warm-up, it snapshots client counters, latency recorders, machine CPU, the client threads' own
 * CPU and the server's counters, waits the window, snapshots again, then stops the threads and
 * waits for their transactions in flight to finish (bounded).
 */
public final class LoadRunner {
    private LoadRunner() {}

    /** Creates thread {@code index}'s worker, inside that thread and its namespace. */
    public interface WorkerFactory {
        LoadLoop create(int index, ClientStats stats);
    }

    /** What one window measured. Counters are deltas over the window. */
    public record Measurement(double seconds, long[] counters, Histogram requestLatency, Histogram txnLatency,
                              MachineCpu machine, long clientCpuNanos,
                              Map<String, Object> serverBefore, Map<String, Object> serverAfter,
                              long clientUserCpuNanos, CoreTimes cores) {
        public long counter(int c) {
            return counters[c];
        }

        /** Server counter delta over the window (0 when the server does not report it). */
        public long serverDelta(String key) {
            return number(serverAfter.get(key)) - number(serverBefore.get(key));
        }

        private static long number(Object o) {
            return o instanceof Number n ? n.longValue() : 0;
        }
    }

    public static Measurement run(String netns, int threads, WorkerFactory factory, Duration warmup,
                                  Duration window, Supplier<Map<String, Object>> serverStats) throws InterruptedException {
        return run(netns, threads, factory, warmup, window, serverStats, null);
    }

    /** As above, also measuring the server and client sides of a split cluster (null or unsplit: not measured). */
    public static Measurement run(String netns, int threads, WorkerFactory factory, Duration warmup,
                                  Duration window, Supplier<Map<String, Object>> serverStats, LocalCluster split)
            throws InterruptedException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<ClientStats> stats = new ArrayList<>();
        List<LoadLoop> workers = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch created = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            ClientStats s = new ClientStats();
            stats.add(s);
            workers.add(null);
        }
        for (int i = 0; i < threads; i++) {
            int index = i;
            running.add(Thread.ofPlatform().name("load-" + i).start(() -> {
                LoadLoop w;
                try {
                    if (netns != null) { // null: the client host is this process's own
                        NetNs.enter(netns);
                    }
                    w = factory.create(index, stats.get(index));
                    synchronized (workers) {
                        workers.set(index, w);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                    return;
                } finally {
                    created.countDown();
                }
                try {
                    w.run();
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        created.await();
        try {
            if (!failures.isEmpty()) {
                throw new IllegalStateException("load thread failed to start: " + failures.getFirst(), failures.getFirst());
            }
            Thread.sleep(warmup.toMillis());
            long[] c0 = sum(stats);
            stats.forEach(ClientStats::takeRequestLatency);
            stats.forEach(ClientStats::takeTxnLatency);
            Map<String, Object> s0 = serverStats.get();
            MachineCpu m0 = MachineCpu.read();
            CoreTimes k0 = CoreTimes.read(split);
            long cpu0 = cpu(mx, running);
            long user0 = userCpu(mx, running);
            long t0 = System.nanoTime();
            Thread.sleep(window.toMillis());
            long t1 = System.nanoTime();
            long cpu1 = cpu(mx, running);
            long user1 = userCpu(mx, running);
            MachineCpu m1 = MachineCpu.read();
            CoreTimes k1 = CoreTimes.read(split);
            long[] c1 = sum(stats);
            Histogram req = new Histogram(3);
            Histogram txn = new Histogram(3);
            for (ClientStats s : stats) {
                req.add(s.takeRequestLatency());
                txn.add(s.takeTxnLatency());
            }
            Map<String, Object> s1 = serverStats.get();
            for (int i = 0; i < c1.length; i++) {
                c1[i] -= c0[i];
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException("load thread failed: " + failures.getFirst(), failures.getFirst());
            }
            return new Measurement((t1 - t0) / 1e9, c1, req, txn, m1.minus(m0), cpu1 - cpu0, s0, s1, user1 - user0,
                    k1.minus(k0));
        } finally {
            synchronized (workers) {
                workers.forEach(w -> {
                    if (w != null) {
                        w.stop();
                    }
                });
            }
            for (Thread t : running) {
                t.join(10_000);
            }
        }
    }

    /**
     * Measures one window of the in-kernel load generator: its counters and histograms before and
     * after, the server's counters, and the CPUs. The generator's work is all in the kernel, so
     * its client CPU time is the client CPUs' busy time.
     */
    public static Measurement run(KernelClient k, Duration warmup, Duration window,
                                  Supplier<Map<String, Object>> serverStats, LocalCluster split) throws InterruptedException {
        Thread.sleep(warmup.toMillis());
        long[] c0 = k.counters();
        long[] r0 = k.histogram(false);
        long[] x0 = k.histogram(true);
        Map<String, Object> s0 = serverStats.get();
        MachineCpu m0 = MachineCpu.read();
        CoreTimes k0 = CoreTimes.read(split);
        long t0 = System.nanoTime();
        Thread.sleep(window.toMillis());
        long t1 = System.nanoTime();
        CoreTimes k1 = CoreTimes.read(split);
        MachineCpu m1 = MachineCpu.read();
        long[] c1 = k.counters();
        Histogram req = KernelClient.delta(r0, k.histogram(false));
        Histogram txn = KernelClient.delta(x0, k.histogram(true));
        Map<String, Object> s1 = serverStats.get();
        long[] counters = new long[ClientStats.COUNT];
        counters[ClientStats.REQUESTS] = c1[LoadGenLayout.STAT_SENT] - c0[LoadGenLayout.STAT_SENT];
        counters[ClientStats.REPLIES] = c1[LoadGenLayout.STAT_REPLIES] - c0[LoadGenLayout.STAT_REPLIES];
        counters[ClientStats.RETRIES] = c1[LoadGenLayout.STAT_RETRIES] - c0[LoadGenLayout.STAT_RETRIES];
        counters[ClientStats.TIMEOUTS] = c1[LoadGenLayout.STAT_RESENT] - c0[LoadGenLayout.STAT_RESENT];
        counters[ClientStats.STALE] = c1[LoadGenLayout.STAT_STALE] - c0[LoadGenLayout.STAT_STALE];
        counters[ClientStats.COMMITTED] = c1[LoadGenLayout.STAT_COMMITTED] - c0[LoadGenLayout.STAT_COMMITTED];
        counters[ClientStats.ABORTED] = c1[LoadGenLayout.STAT_ABORTED] - c0[LoadGenLayout.STAT_ABORTED];
        counters[ClientStats.GOOD_REQUESTS] = c1[LoadGenLayout.STAT_GOOD] - c0[LoadGenLayout.STAT_GOOD];
        counters[ClientStats.PROTOCOL_ERRORS] = c1[LoadGenLayout.STAT_PROTOCOL] - c0[LoadGenLayout.STAT_PROTOCOL];
        CoreTimes cores = k1.minus(k0);
        return new Measurement((t1 - t0) / 1e9, counters, req, txn, m1.minus(m0), cores.clientBusy() * 1000, s0, s1, 0, cores);
    }

    private static long[] sum(List<ClientStats> stats) {
        long[] total = new long[ClientStats.COUNT];
        for (ClientStats s : stats) {
            long[] one = s.snapshot();
            for (int i = 0; i < total.length; i++) {
                total[i] += one[i];
            }
        }
        return total;
    }

    /** User-mode CPU of the threads: the client's own work, without the kernel's (syscalls, softirqs run on its time). */
    private static long userCpu(ThreadMXBean mx, List<Thread> threads) {
        long total = 0;
        for (Thread t : threads) {
            total += Math.max(mx.getThreadUserTime(t.threadId()), 0);
        }
        return total;
    }

    private static long cpu(ThreadMXBean mx, List<Thread> threads) {
        long total = 0;
        for (Thread t : threads) {
            long c = mx.getThreadCpuTime(t.threadId());
            total += Math.max(c, 0);
        }
        return total;
    }
}
