package io.dint.bench;

import io.dint.check.History;
import io.dint.check.SerializabilityChecker;
import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.server.ServerHandle;
import io.dint.txn.CommittedState;
import io.dint.txn.TxnDriver;
import io.dint.txn.TxnEngine;
import io.dint.txn.HistoryRecorder;
import io.dint.txn.TxnWorkload;
import io.dint.txn.UnknownTxns;
import io.dint.txn.WorkloadTally;
import io.dint.wire.Wire;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The coordinators of one workload's run on three shard servers, from the population on, and
 * what they recorded: per coordinator its history, committed writes, transactions of unknown
 * outcome and counters; protocol violations. Each load window adds coordinators
 * ({@link #workers}); at quiescence {@link #verdict} runs every end-of-run check over the whole
 * run. Used by the transaction bench and the chaos runs alike, so both judge a run the same way.
 */
final class TxnRun {
    private final TxnWorkload workload;
    private final int[] addrs;
    private final TxnDriver.Totals load;
    private final long giveUpNanos;
    private final List<WorkloadTally> tallies = new ArrayList<>();
    private final List<History> histories = new ArrayList<>();
    private final List<CommittedState> states = new ArrayList<>();
    private final List<UnknownTxns> unknowns = new ArrayList<>();
    private final List<ClientStats> allStats = new ArrayList<>();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    private int seed;

    /**
     * @param load        the population's totals: its history holds the initial versions
     * @param giveUpNanos the coordinators' bound on retries ({@link TxnEngine.Context#giveUpAfter})
     */
    TxnRun(TxnWorkload workload, int[] addrs, TxnDriver.Totals load, long giveUpNanos) {
        this.workload = workload;
        this.addrs = addrs.clone();
        this.load = load;
        this.giveUpNanos = giveUpNanos;
    }

    /**
     * The load threads of one window of {@code shape}: each a coordinator on its own transport
     * with its own client id and seed, recording into this run; a protocol violation stops its
     * coordinator and is kept.
     */
    LoadRunner.WorkerFactory workers(MicroBench.Shape shape, Supplier<Transport> transport) {
        int base;
        synchronized (this) {
            base = seed;
            seed += shape.threads();
        }
        return (index, stats) -> MicroBench.closing(transport.get(), t -> {
            History h = new History();
            CommittedState st = new CommittedState();
            UnknownTxns u = new UnknownTxns();
            WorkloadTally tally = new WorkloadTally();
            TxnEngine e = new TxnEngine(new TxnEngine.Context().transport(t).stats(stats)
                    .source(workload.transactions(new SplittableRandom(base + index), shape.inflight(), 0))
                    .protocol(workload.protocol()).clientId(1000 + base + index).servers(addrs).port(Wire.PORT)
                    .inflight(shape.inflight()).timeoutNanos(MicroBench.clientTimeoutNanos()).giveUpAfter(giveUpNanos)
                    .listener(tally).listener(st).listener(new HistoryRecorder(h)).listener(u));
            running.incrementAndGet();
            synchronized (this) {
                tallies.add(tally);
                histories.add(h);
                states.add(st);
                unknowns.add(u);
                allStats.add(stats);
            }
            return stoppingOnViolation(e);
        });
    }

    /** Runs the engine; a protocol violation stops it and is recorded instead of ending its load thread with an exception. */
    private LoadLoop stoppingOnViolation(TxnEngine engine) {
        return new LoadLoop() {
            @Override
            public void run() {
                try {
                    engine.run();
                } catch (TxnEngine.ProtocolViolation v) {
                    violations.add(v.getMessage());
                } finally {
                    running.decrementAndGet();
                }
            }

            @Override
            public void stop() {
                engine.stop();
            }
        };
    }

    /**
     * Waits until every coordinator has returned from its run (load windows stop them and wait
     * only so long; one with a transaction still retrying, say against a server that is restarting,
     * returns later). False when some still run after {@code timeout}.
     */
    boolean awaitQuiescence(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Protocol violations so far. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    /** A counter summed over the population and every coordinator so far. */
    synchronized long counter(int c) {
        long n = load.counter(c);
        for (ClientStats st : allStats) {
            n += st.get(c);
        }
        return n;
    }

    /** Every transaction of unknown outcome so far. */
    synchronized UnknownTxns unknown() {
        UnknownTxns all = new UnknownTxns();
        unknowns.forEach(all::addAll);
        return all;
    }

    /**
     * What the end-of-run checks found: the workload's checks, the replicas against the committed
     * writes, the serializability of the whole history; with the history and committed state
     * they were judged on (transactions of unknown outcome added as {@code resolve} decided).
     */
    record Verdict(List<String> failures, SerializabilityChecker.Result serial, long protocolErrors, History history,
                   CommittedState state, Map<String, Object> result) {}

    /** Decides a transaction of unknown outcome from what the replicas hold: true when it committed. */
    interface Resolution {
        boolean committed(UnknownTxns.Txn txn);
    }

    /**
     * Runs every end-of-run check at quiescence (every coordinator stopped and done): the servers'
     * check maps, the workload's checks on them, each replica against the last committed write of
     * every key, and the serializability check of the population and every transaction, those of
     * unknown outcome as {@code resolution} decides them (null: none may be unknown, and any is a
     * failure).
     */
    synchronized Verdict verdict(List<? extends ServerHandle> procs, Resolution resolution) {
        long ledger = 0;
        long[] committed = new long[workload.typeNames().length];
        long[] rolledBack = new long[committed.length];
        History all = new History();
        all.addAll(load.history()); // the initial versions
        CommittedState state = new CommittedState();
        state.addAll(load.state());
        for (int i = 0; i < tallies.size(); i++) {
            WorkloadTally e = tallies.get(i);
            ledger += e.ledgerDelta();
            for (int t = 0; t < committed.length; t++) {
                committed[t] += e.committed(t);
                rolledBack[t] += e.rolledBack(t);
            }
            all.addAll(histories.get(i));
            state.addAll(states.get(i));
        }
        List<String> failures = new ArrayList<>();
        long unknownCommitted = 0;
        for (UnknownTxns.Txn t : unknown().txns()) {
            if (resolution == null) {
                failures.add("transaction 0x" + Long.toHexString(t.id()) + " has an unknown outcome and nothing resolves it");
                continue;
            }
            boolean c = resolution.committed(t);
            unknownCommitted += c ? 1 : 0;
            UnknownTxns.resolve(t, c, all, state);
        }
        List<Map<String, Object>> checks = new ArrayList<>();
        for (ServerHandle proc : procs) {
            checks.add(proc.check());
        }
        failures.addAll(workload.check(checks, ledger, committed, rolledBack));
        failures.addAll(state.reconcile(checks));
        SerializabilityChecker.Result serial = SerializabilityChecker.check(all);
        if (!serial.serializable()) {
            failures.add(serial.toString());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("serializable", serial.serializable());
        result.put("serializability", serial.toString());
        result.put("protocol_violations", violations());
        result.put("unknown_outcomes", unknown().size());
        result.put("unknown_resolved_committed", unknownCommitted);
        result.put("workload_checks", failures.isEmpty() ? "all passed" : failures);
        Map<String, Object> types = new LinkedHashMap<>();
        for (int t = 0; t < committed.length; t++) {
            types.put(workload.typeNames()[t], Map.of("committed", committed[t], "rolled_back", rolledBack[t]));
        }
        result.put("types", types);
        result.put("servers", checks);
        return new Verdict(failures, serial, counter(ClientStats.PROTOCOL_ERRORS), all, state, result);
    }
}
