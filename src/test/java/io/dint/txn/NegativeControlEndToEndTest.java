package io.dint.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bench.MicroBench;
import io.dint.check.History;
import io.dint.check.SerializabilityChecker;
import io.dint.check.SerializabilityChecker.Anomaly;
import io.dint.client.ClientStats;
import io.dint.cluster.Host;
import io.dint.cluster.LocalCluster;
import io.dint.server.ServerProcess;
import io.dint.wire.Wire;
import io.dint.workload.Smallbank;
import io.dint.workload.SmallbankLogic;
import io.dint.workload.SmallbankWorkload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Negative controls: the serializability check must catch what concurrency control prevents. On
 * three shard servers of each backend (xdp, afxdp, udp; separate processes in their own
 * namespaces, AF_XDP client) Smallbank runs four times, each on its own range of accounts so that
 * every run starts from the population: 2PL as it is (serializable), 2PL with its locks switched
 * off (lost updates), Smallbank on OCC as it is (serializable), and OCC with validation switched
 * off (write skew). Each run is a few thousand transactions; the classes and counts found are
 * printed.
 */
class NegativeControlEndToEndTest {
    private static final int RANGE = 300;       // accounts per run
    private static final int RUNS = 4;
    private static final int TXNS = 3000;       // per run
    private static final int SLOTS = 32;
    private static final int OCC_ATTEMPTS = 10; // OCC without validation: runs until caught, at most this many

    /** Smallbank on accounts [offset, offset + RANGE) of a larger population, under either protocol. */
    private record Range(TxnEngine.Protocol protocol, long offset) implements TxnWorkload {
        @Override
        public String name() {
            return "smallbank-" + protocol.name().toLowerCase(java.util.Locale.ROOT) + "@" + offset;
        }

        @Override
        public String[] typeNames() {
            return Smallbank.NAMES;
        }

        @Override
        public Map<String, Object> scale() {
            return Map.of("accounts", RANGE);
        }

        @Override
        public long records() {
            return 2L * RANGE;
        }

        @Override
        public TxnEngine.Source loader(int thread, int threads, int slots) {
            throw new UnsupportedOperationException("the population is loaded whole");
        }

        @Override
        public TxnEngine.Source transactions(SplittableRandom rnd, int slots, long limit) {
            Smallbank bank = new Smallbank(RANGE);
            SmallbankLogic[] logic = new SmallbankLogic[slots];
            for (int i = 0; i < slots; i++) {
                logic[i] = new SmallbankLogic();
            }
            Smallbank.Txn t = new Smallbank.Txn();
            long[] started = {0};
            return slot -> {
                if (started[0] == limit) {
                    return null;
                }
                started[0]++;
                bank.next(rnd, t);
                t.a1 += offset;
                t.a2 = t.a2 < 0 ? t.a2 : t.a2 + offset;
                return logic[slot].set(t);
            };
        }

        @Override
        public List<String> check(List<Map<String, Object>> servers, long ledgerDelta, long[] committed, long[] rolledBack) {
            return List.of();
        }
    }

    @Test
    void theCheckerCatchesEachControlOnEveryBackend() throws Exception {
        SmallbankWorkload population = new SmallbankWorkload((long) RANGE * RUNS);
        List<String> report = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.create(TxnEngine.REPLICAS, 1)) {
            Host client = cluster.clients().getFirst();
            int[] addrs = cluster.servers().stream().mapToInt(Host::ipv4).toArray();
            TxnDriver.Target target = new TxnDriver.Target(addrs, Wire.PORT, MicroBench.clientTimeoutNanos(), client.netns(),
                    i -> MicroBench.Client.AFXDP.open(client, 64));
            for (String backend : List.of("xdp", "afxdp", "udp")) {
                List<ServerProcess> procs = new ArrayList<>();
                List<Process> started = new ArrayList<>();
                try {
                    for (Host h : cluster.servers()) {
                        started.add(cluster.startDint(h, List.of("serve", "--service", "smallbank",
                                "--backend", backend, "--accounts", Long.toString((long) RANGE * RUNS), "--threads", "1")));
                    }
                    for (Process p : started) { // they start side by side
                        procs.add(new ServerProcess(p, Duration.ofSeconds(60)));
                    }
                    History loaded = TxnDriver.load(population, target, 1, 64).history();
                    assertThat(loaded.initialVersions()).isEqualTo(2 * RANGE * RUNS);

                    SerializabilityChecker.Result twoPl = control(target, loaded, new Range(TxnEngine.Protocol.TWO_PL, 0), true, 1);
                    assertThat(twoPl.serializable()).as("%s 2PL: %s", backend, twoPl).isTrue();

                    SerializabilityChecker.Result noLocks = control(target, loaded, new Range(TxnEngine.Protocol.TWO_PL, RANGE), false, 1);
                    assertThat(noLocks.serializable()).as("%s 2PL without locks: %s", backend, noLocks).isFalse();
                    assertThat(noLocks.count(Anomaly.VERSION_ORDER)).as("lost updates: %s", noLocks).isPositive();
                    assertThat(noLocks.count(Anomaly.G2_ITEM)).as("each read what the other overwrote: %s", noLocks).isPositive();

                    SerializabilityChecker.Result occ = control(target, loaded, new Range(TxnEngine.Protocol.OCC, 2L * RANGE), true, 1);
                    assertThat(occ.serializable()).as("%s OCC: %s", backend, occ).isTrue();

                    SerializabilityChecker.Result noValidation = control(target, loaded, new Range(TxnEngine.Protocol.OCC, 3L * RANGE),
                            false, OCC_ATTEMPTS);
                    assertThat(noValidation.serializable()).as("%s OCC without validation: %s", backend, noValidation).isFalse();
                    assertThat(noValidation.count(Anomaly.G2_ITEM) + noValidation.count(Anomaly.G_SINGLE))
                            .as("write skew: %s", noValidation).isPositive();
                    assertThat(noValidation.count(Anomaly.VERSION_ORDER)).as("OCC still locks what it writes: %s", noValidation).isZero();

                    report.add(line(backend, "2pl", twoPl));
                    report.add(line(backend, "2pl-without-locks", noLocks));
                    report.add(line(backend, "occ", occ));
                    report.add(line(backend, "occ-without-validation", noValidation));
                } finally {
                    procs.forEach(ServerProcess::close);
                    started.forEach(Process::destroyForcibly); // any that never came up
                }
            }
        } finally {
            report.forEach(System.out::println);
        }
    }

    /**
     * Runs {@code w} (with or without its concurrency control) for {@link #TXNS} transactions,
     * again on the history so far up to {@code attempts} times while it stays serializable, and
     * checks the population plus everything it ran.
     */
    private static SerializabilityChecker.Result control(TxnDriver.Target target, History loaded, Range w,
                                                         boolean concurrencyControl, int attempts) throws InterruptedException {
        History h = new History();
        h.addAll(loaded);
        SerializabilityChecker.Result result = null;
        for (int a = 0; a < attempts && (result == null || result.serializable()); a++) {
            TxnDriver.Totals run = TxnDriver.run(w, target, 1, SLOTS, TXNS, 11 + a, true, concurrencyControl);
            assertThat(run.counter(ClientStats.PROTOCOL_ERRORS)).as("%s", w.name()).isZero();
            h.addAll(run.history());
            result = SerializabilityChecker.check(h);
        }
        return result;
    }

    private static String line(String backend, String control, SerializabilityChecker.Result r) {
        return String.format(java.util.Locale.ROOT, "negative_control.%s.%s = %s (%d committed transactions)",
                backend, control, r.summary(), r.transactions());
    }
}
