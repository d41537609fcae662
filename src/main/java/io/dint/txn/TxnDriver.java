package io.dint.txn;

import io.dint.check.History;
import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.net.NetNs;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Runs a {@link TxnWorkload} to completion from client threads: its population, or a fixed number
 * of generated transactions per thread, each thread with its own transport and coordinator, in a
 * client namespace or wherever the caller is. Sums what the coordinators counted.
 */
public final class TxnDriver {
    private TxnDriver() {}

    /**
     * Client ids handed out in this process: every coordinator gets its own, so that a run after a
     * population on the same servers is never taken for a retransmission of it (servers recognise
     * those by client id and sequence, and sequences start again with every coordinator).
     */
    private static final AtomicInteger NEXT_CLIENT_ID = new AtomicInteger(100);

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

    /**
     * Loads the workload's population; the totals' history holds what it installed as initial
     * versions, for the serializability check of the runs that follow.
     */
    public static Totals load(TxnWorkload w, Target target, int threads, int slots) throws InterruptedException {
        Totals t = run(w, target, threads, slots, i -> w.loader(i, threads, slots), true, true);
        History population = new History();
        population.addPopulation(t.history());
        return new Totals(t.counters(), t.ledgerDelta(), t.committed(), t.rolledBack(), population, t.state());
    }

    /**
     * Runs {@code txnsPerThread} generated transactions on each of {@code threads} coordinators.
     *
     * @param concurrencyControl false only for negative controls: 2PL without locks, OCC without validation
     */
    public static Totals run(TxnWorkload w, Target target, int threads, int slots, long txnsPerThread, long seed,
                             boolean record, boolean concurrencyControl) throws InterruptedException {
        return run(w, target, threads, slots,
                t -> w.transactions(new SplittableRandom(seed + 1000L * t), slots, txnsPerThread), record, concurrencyControl);
    }

    private static Totals run(TxnWorkload w, Target target, int threads, int slots, IntFunction<TxnEngine.Source> source,
                              boolean record, boolean concurrencyControl) throws InterruptedException {
        List<Thread> running = new ArrayList<>();
        TxnEngine[] engines = new TxnEngine[threads];
        ClientStats[] stats = new ClientStats[threads];
        WorkloadTally[] tallies = new WorkloadTally[threads];
        History[] histories = new History[threads];
        CommittedState[] states = new CommittedState[threads];
        Throwable[] failure = new Throwable[1];
        int firstClientId = NEXT_CLIENT_ID.getAndAdd(threads);
        for (int t = 0; t < threads; t++) {
            int index = t;
            stats[t] = new ClientStats();
            tallies[t] = new WorkloadTally();
            histories[t] = record ? new History() : null;
            states[t] = new CommittedState();
            running.add(Thread.ofPlatform().name("txn-" + t).start(() -> {
                try {
                    if (target.netns() != null) {
                        NetNs.enter(target.netns());
                    }
                    try (Transport transport = target.transport().apply(index)) {
                        TxnEngine.Context ctx = new TxnEngine.Context().transport(transport).stats(stats[index])
                                .source(source.apply(index)).protocol(w.protocol()).clientId(firstClientId + index)
                                .servers(target.servers()).port(target.port()).inflight(slots).timeoutNanos(target.timeoutNanos())
                                .concurrencyControl(concurrencyControl).listener(tallies[index]).listener(states[index]);
                        if (record) {
                            ctx.listener(new HistoryRecorder(histories[index]));
                        }
                        engines[index] = new TxnEngine(ctx);
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
                committed[type] += tallies[t].committed(type);
                rolledBack[type] += tallies[t].rolledBack(type);
            }
            ledger += tallies[t].ledgerDelta();
            if (record) {
                history.addAll(histories[t]);
            }
            state.addAll(states[t]);
        }
        return new Totals(counters, ledger, committed, rolledBack, history, state);
    }
}
