package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bytes a load loop's thread, and a server thread, allocate per request in the steady state: the
 * JVM's per-thread allocation counters are read from outside, once the loop has answered
 * {@code warmup} requests and again every {@code measured} requests, for the least of three windows. What a thread allocates once
 * (its loop's arrays, the interpreted start of its run() until the JIT takes over) stays out of
 * the figure; anything allocated per request shows.
 */
public final class AllocationProbe {
    private static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    /**
     * Measured windows, of which the least counts: on a loaded machine the JIT may compile a loop
     * after the warm-up, and its interpreted or C1-compiled code allocates what C2's escape
     * analysis removes. An allocation per request shows in every window.
     */
    private static final int WINDOWS = 3;
    /**
     * Bytes per request that count as none in a steady-state window: 1 KB per 100,000 requests.
     * Under {@link AllocationCheck} (escape analysis off) interpreted and compiled code allocate
     * alike, so a window of a loop that allocates nothing measures 0, and an object on a path one
     * request in a thousand takes (a resend, an abort) still shows.
     */
    public static final double NONE = 0.01;

    private AllocationProbe() {}

    /** {@code [client bytes per request, server bytes per request]}; stops the loop before returning. */
    public static double[] perRequest(LoadLoop loop, ClientStats stats, Thread server, long warmup, long measured)
            throws InterruptedException {
        return perRequest(loop, stats, new Thread[] {server}, warmup, measured);
    }

    /**
     * {@code [client bytes per request, then each of watched's]}: the loop runs on a thread of its
     * own, and every thread's allocation counter is read at the start and end of each window; the
     * least of the windows counts, thread by thread. Stops the loop before returning.
     */
    public static double[] perRequest(LoadLoop loop, ClientStats stats, Thread[] watched, long warmup, long measured)
            throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                loop.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        Thread[] threads = new Thread[watched.length + 1];
        threads[0] = t;
        System.arraycopy(watched, 0, threads, 1, watched.length);
        try {
            await(stats, warmup, t);
            double[] least = new double[threads.length];
            Arrays.fill(least, Double.MAX_VALUE);
            long[] before = new long[threads.length];
            for (int w = 0; w < WINDOWS; w++) {
                long r0 = stats.get(ClientStats.REPLIES);
                for (int i = 0; i < threads.length; i++) {
                    before[i] = MX.getThreadAllocatedBytes(threads[i].threadId());
                }
                await(stats, r0 + measured, t);
                long r1 = stats.get(ClientStats.REPLIES);
                for (int i = 0; i < threads.length; i++) {
                    least[i] = Math.min(least[i], (double) (MX.getThreadAllocatedBytes(threads[i].threadId()) - before[i]) / (r1 - r0));
                }
            }
            return least;
        } finally {
            loop.stop();
            t.join(60_000);
            assertThat(failure.get()).isNull();
        }
    }

    private static void await(ClientStats stats, long replies, Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (stats.get(ClientStats.REPLIES) < replies) {
            assertThat(t.isAlive()).as("load loop still running").isTrue();
            assertThat(System.nanoTime()).as("%d replies within 120 s", replies).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The thread of that name (a server's worker). */
    public static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(th -> th.getName().equals(name)).findFirst().orElseThrow();
    }
}
