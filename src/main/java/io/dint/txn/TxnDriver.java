package io.dint.txn;

import io.dint.check.History;
import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.net.NetNs;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Runs a {@link TxnWorkload} to completion from client threads: its population, or a fixed number
 * of generated transactions per thread, each thread with its own transport and coordinator, in a
 * client namespace or wherever the caller is. Sums what the coordinators counted.
 */
public final class TxnDriver {
    private TxnDriver() {}

    /** The longest a population or a counted run may take. */
    static final java.time.Duration LIMIT = java.time.Duration.ofMinutes(10);

    /** Where the coordinators send and how. */
    public record Target(int[] servers, int port, long timeoutNanos, String netns, IntFunction<Transport> transport) {}

    /**
     * What the coordinators counted, summed over threads: counters, ledger change, per-type
     * commits and rollbacks, the history (when recorded) and the committed writes.
     */
    public record Totals(long[] counters, long ledgerDelta, long[] committed, long[] rolledBack, History history,
                         CommittedState state) {
        public long counter(int c) {
            return counters[c];
        }
    }

    public static Totals load(TxnWorkload w, Target target, int threads, int slots) throws InterruptedException {
        return run(w, target, threads, slots, t -> w.loader(t, threads, slots), false, true);
    }

    public static Totals run(TxnWorkload w, Target target, int threads, int slots, long txnsPerThread, long seed,
                             boolean record, boolean validate) throws InterruptedException {
        return run(w, target, threads, slots,
                t -> w.transactions(new SplittableRandom(seed + 1000L * t), slots, txnsPerThread), record, validate);
    }

    private static Totals run(TxnWorkload w, Target target, int threads, int slots, IntFunction<TxnEngine.Source> source,
                              boolean record, boolean validate) throws InterruptedException {
        List<Thread> running = new ArrayList<>();
        TxnEngine[] engines = new TxnEngine[threads];
        ClientStats[] stats = new ClientStats[threads];
        History[] histories = new History[threads];
        CommittedState[] states = new CommittedState[threads];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            int index = t;
            stats[t] = new ClientStats();
            histories[t] = record ? new History() : null;
            states[t] = new CommittedState();
            running.add(Thread.ofPlatform().name("txn-" + t).start(() -> {
                try {
                    if (target.netns() != null) {
                        NetNs.enter(target.netns());
                    }
                    try (Transport transport = target.transport().apply(index)) {
                        engines[index] = new TxnEngine(transport, stats[index], source.apply(index), w.protocol(),
                                100 + index, target.servers(), target.port(), slots, target.timeoutNanos(), validate,
                                histories[index], states[index]);
                        engines[index].run();
                    }
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            }));
        }
        // every run is bounded in time as well as in count
        long deadline = System.nanoTime() + LIMIT.toNanos();
        for (Thread t : running) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        boolean late = running.stream().anyMatch(Thread::isAlive);
        if (late) {
            for (TxnEngine e : engines) {
                if (e != null) {
                    e.stop();
                }
            }
            for (Thread t : running) {
                t.join(30_000);
            }
            throw new IllegalStateException(w.name() + " clients did not finish within " + LIMIT
                    + ": the servers are unreachable or the load livelocks");
        }
        if (failure[0] != null) {
            throw new IllegalStateException("a transaction client failed: " + failure[0], failure[0]);
        }
        long[] counters = new long[ClientStats.COUNT];
        long[] committed = new long[w.typeNames().length];
        long[] rolledBack = new long[w.typeNames().length];
        long ledger = 0;
        History history = record ? new History() : null;
        CommittedState state = new CommittedState();
        for (int t = 0; t < threads; t++) {
            long[] c = stats[t].snapshot();
            for (int i = 0; i < c.length; i++) {
                counters[i] += c[i];
            }
            for (int type = 0; type < committed.length; type++) {
                committed[type] += engines[t].committed(type);
                rolledBack[type] += engines[t].rolledBack(type);
            }
            ledger += engines[t].ledgerDelta();
            if (record) {
                history.addAll(histories[t]);
            }
            state.addAll(states[t]);
        }
        return new Totals(counters, ledger, committed, rolledBack, history, state);
    }
}
