package io.dint.check;

import static io.dint.check.Observed.aborted;
import static io.dint.check.Observed.committed;
import static io.dint.check.Observed.r;
import static io.dint.check.Observed.r0;
import static io.dint.check.Observed.w;
import static io.dint.check.SerializabilityChecker.Anomaly.G0;
import static io.dint.check.SerializabilityChecker.Anomaly.G1A;
import static io.dint.check.SerializabilityChecker.Anomaly.G1B;
import static io.dint.check.SerializabilityChecker.Anomaly.G1C;
import static io.dint.check.SerializabilityChecker.Anomaly.G2_ITEM;
import static io.dint.check.SerializabilityChecker.Anomaly.GARBAGE;
import static io.dint.check.SerializabilityChecker.Anomaly.G_SINGLE;
import static io.dint.check.SerializabilityChecker.Anomaly.VERSION_ORDER;
import static io.dint.check.SerializabilityChecker.Anomaly.WRONG_VALUE;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.check.SerializabilityChecker.Anomaly;
import io.dint.check.SerializabilityChecker.Edge;
import io.dint.check.SerializabilityChecker.Finding;
import io.dint.check.SerializabilityChecker.Kind;
import io.dint.check.SerializabilityChecker.Result;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A table of named histories, one or more per anomaly class, each also judged by the brute-force
 * oracle; the blind spots of a checker that trusts unknown versions; the report's bounds; a
 * million transactions.
 */
class SerializabilityCheckerTest {
    private static final long X = 1, Y = 2, Z = 3;

    /** Checks {@code o}, expects exactly the classes given (none: serializable) and the oracle to agree. */
    private static Result expect(Observed o, Anomaly... classes) {
        Result result = o.check();
        assertThat(result.serializable()).as("%s", result).isEqualTo(classes.length == 0);
        assertThat(o.serializableByBruteForce()).as("the oracle on %s", o).isEqualTo(classes.length == 0);
        for (Anomaly a : Anomaly.values()) {
            boolean wanted = Arrays.asList(classes).contains(a);
            assertThat(result.count(a) > 0).as("%s in %s", a, result).isEqualTo(wanted);
            if (wanted) {
                assertThat(result.findings(a)).as("%s named in %s", a, result).isNotEmpty();
            }
        }
        return result;
    }

    /**
     * A named history, the classes the checker must find in it (none: serializable), the kinds of
     * every example cycle of its cycle classes (in any order; empty: not looked at), and what the
     * report must say. Every example cycle must close.
     */
    record Case(String name, Observed history, List<Anomaly> classes, List<Kind> cycle, String... says) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case row(String name, Observed history, List<Anomaly> classes, List<Kind> cycle, String... says) {
        return new Case(name, history, classes, cycle, says);
    }

    private static Case row(String name, Observed history, List<Anomaly> classes, String... says) {
        return row(name, history, classes, List.of(), says);
    }

    static List<Case> namedHistories() {
        return List.of(
                row("G0 write cycle: x by T1 then T2, y by T2 then T1", Observed.of(
                        committed(1, w(X, 1, 11), w(Y, 2, 12)),
                        committed(2, w(X, 2, 21), w(Y, 1, 22))), List.of(G0), List.of(Kind.WW, Kind.WW)),
                row("G1a aborted read", Observed.of(
                        aborted(7, r0(X), w(X, 1, 70)),
                        committed(1, r(X, 1, 70))), List.of(G1A),
                        "T1 read key 1 version 1", "aborted attempt T7", "among 1 committed transactions (1 aborted attempts"),
                row("G1b intermediate read", Observed.of(
                        committed(1, w(X, 1, 10), w(X, 2, 11)),
                        committed(2, r(X, 1, 10))), List.of(G1B), "T1 overwrote"),
                row("G1c circular information flow: each read what the other wrote", Observed.of(
                        committed(1, r(Y, 1, 20), w(X, 1, 10)),
                        committed(2, r(X, 1, 10), w(Y, 1, 20))), List.of(G1C), List.of(Kind.WR, Kind.WR)),
                row("G-single read skew: T1 saw x before T2 and y after it", Observed.of(
                        committed(1, r0(X), r(Y, 1, 20)),
                        committed(2, r0(X), r0(Y), w(X, 1, 10), w(Y, 1, 20))), List.of(G_SINGLE), List.of(Kind.RW, Kind.WR),
                        "G-single 1 among", "G-single: T1 -rw(key 1 v0)-> T2 -wr(key 2 v1)-> T1"),
                row("G2-item write skew: both read x and y, each writes one", Observed.of(
                        committed(1, r0(X), r0(Y), w(X, 1, 10)),
                        committed(2, r0(X), r0(Y), w(Y, 1, 20))), List.of(G2_ITEM), List.of(Kind.RW, Kind.RW)),
                // T1 -rw(x)-> T2 -wr(y)-> T3 -rw(z)-> T1: two rw edges on the only cycle
                row("G2-item needs two anti-dependencies even when dependencies join them", Observed.of(
                        committed(1, r0(X), w(Z, 1, 10)),
                        committed(2, w(X, 1, 20), w(Y, 1, 21)),
                        committed(3, r(Y, 1, 21), r0(Z))), List.of(G2_ITEM), List.of(Kind.RW, Kind.WR, Kind.RW)),
                // T2 read version 0 but wrote over T1's version 1
                row("a lost update with distinct versions is G-single", Observed.of(
                        committed(1, r0(X), w(X, 1, 10)),
                        committed(2, r0(X), w(X, 2, 20))), List.of(G_SINGLE)),
                // what a coordinator without locks records: both read 0 and wrote version 1. Which install
                // came first is unknown, so no ww edge joins them: each read what the other overwrote
                row("a lost update as two installs of one version", Observed.of(
                        committed(1, r0(X), w(X, 1, 10)),
                        committed(2, r0(X), w(X, 1, 20))), List.of(VERSION_ORDER, G2_ITEM), List.of(Kind.RW, Kind.RW),
                        "both installed version 1 of key 1"),
                row("garbage read", Observed.of(committed(1, r(X, 5, 50))), List.of(GARBAGE), "no transaction wrote it"),
                row("wrong value", Observed.of(
                        committed(1, r0(X), w(X, 1, 10)),
                        committed(2, r(X, 1, 99))), List.of(WRONG_VALUE)),
                row("a write must be newer than the transaction's own write before it",
                        Observed.of(committed(1, w(X, 3, 10), w(X, 2, 11))), List.of(VERSION_ORDER)),
                row("a write must be newer than the initial version",
                        Observed.of(committed(1, w(X, 1, 10))).withInitial(X, 1, 5), List.of(VERSION_ORDER)),
                // T2's first write (2) is not newer than T1's install (3) that precedes T2's last one (4)
                row("a transaction's first write must be newer than the install before its last", Observed.of(
                        committed(1, w(X, 3, 10)),
                        committed(2, w(X, 2, 20), w(X, 4, 21))), List.of(VERSION_ORDER)),
                // x: T1 installs 1, T3 installs 3; 2 was written only by an aborted attempt (and read by T4).
                // T2 read x1 and y after T3: T2 -rw-> T3 (the next installed version after 1) -wr-> T2.
                row("a version nobody installed does not break the anti-dependency chain", Observed.of(
                        committed(1, w(X, 1, 10)),
                        committed(2, r(X, 1, 10), r(Y, 1, 31)),
                        committed(3, r(X, 1, 10), w(X, 3, 30), w(Y, 1, 31)),
                        aborted(5, w(X, 2, 50)),
                        committed(4, r(X, 2, 50))), List.of(G1A, G_SINGLE), "T2 -rw(key 1 v1)-> T3 -wr(key 2 v1)-> T2"),
                row("... and without the aborted read it is the same G-single", Observed.of(
                        committed(1, w(X, 1, 10)),
                        committed(2, r(X, 1, 10), r(Y, 1, 31)),
                        committed(3, r(X, 1, 10), w(X, 3, 30), w(Y, 1, 31))), List.of(G_SINGLE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("namedHistories")
    void namedHistory(Case c) {
        Result r = expect(c.history(), c.classes().toArray(Anomaly[]::new));
        for (Anomaly a : List.of(G0, G1C, G_SINGLE, G2_ITEM)) {
            for (Finding f : r.findings(a)) {
                if (!c.cycle().isEmpty()) {
                    assertThat(f.cycle()).as("%s", f).extracting(Edge::kind).containsExactlyInAnyOrderElementsOf(c.cycle());
                }
                for (int i = 0; i < f.cycle().size(); i++) {
                    assertThat(f.cycle().get(i).to()).as("edges chain: %s", f).isEqualTo(f.cycle().get((i + 1) % f.cycle().size()).from());
                }
            }
        }
        for (String said : c.says()) {
            assertThat(r.toString()).contains(said);
        }
    }

    @Test
    void serialTransactionsRecordedInAnyOrderAreSerializable() {
        Result r = expect(Observed.of(
                committed(3, r(X, 2, 30), r(Y, 1, 20)),
                committed(1, r0(X), w(X, 1, 10), w(Y, 1, 20)),
                committed(2, r(X, 1, 10), w(X, 2, 30))));
        assertThat(r.toString()).startsWith("serializable: 3 committed transactions");
        assertThat(r.dependencies()).isPositive();
    }

    @Test
    void aReadOfItsOwnWriteIsACycleOfOne() {
        // reads see the state before the transaction: reading its own install is information from the future
        Result r = expect(Observed.of(committed(1, r(X, 1, 10), w(X, 1, 10))), G1C);
        assertThat(r.findings(G1C).getFirst().cycle()).singleElement().extracting(Edge::from, Edge::to).containsExactly(1L, 1L);
    }

    @Test
    void twoInstallsOfOneVersionImposeNoOrderBetweenThem() {
        // x: T1 and T2 both installed version 1; y: T2 then T1. Ordering x's pair by chance could
        // invent a write cycle; with no order between them only the version-order finding remains
        expect(Observed.of(
                committed(1, w(X, 1, 10), w(Y, 2, 11)),
                committed(2, w(X, 1, 20), w(Y, 1, 21))), VERSION_ORDER);
        // both precede the next version, and a reader of the one before precedes both
        Result r = expect(Observed.of(
                committed(1, w(X, 1, 10)),
                committed(2, w(X, 1, 20)),
                committed(3, r(X, 1, 20), w(X, 2, 30), w(Y, 1, 31)),
                committed(4, r(Y, 1, 31), w(X, 3, 40))), VERSION_ORDER);
        assertThat(r.dependencies()).as("T1 -ww-> T3, T2 -ww-> T3, T2 -wr-> T3, T3 -ww-> T4, T3 -wr-> T4").isEqualTo(5);
    }

    @Test
    void thePopulationIsRecordedAsInitialVersions() {
        Observed loaded = Observed.of(committed(1, r(X, 1, 5))).withInitial(X, 1, 5);
        expect(loaded);
        // before the population, x was absent at version 0: a read of that now is a read of nothing
        expect(Observed.of(committed(1, r0(X))).withInitial(X, 1, 5), GARBAGE);
        expect(Observed.of(committed(1, r(X, 1, 6))).withInitial(X, 1, 5), WRONG_VALUE);
        // a key nobody declared is absent at version 0
        expect(Observed.of(committed(1, r0(Y))).withInitial(X, 1, 5));

        History population = new History();
        population.begin(9);
        population.write(X, 1, 5);
        population.commit();
        population.begin(10);
        population.write(Y, 7, 6);
        population.abort();
        History h = new History();
        h.addPopulation(population);
        assertThat(h.initialVersions()).as("only what committed").isEqualTo(1);
        assertThat(h.transactions()).isZero();
        h.begin(1);
        h.read(X, 1, 5);
        h.commit();
        assertThat(SerializabilityChecker.check(h).serializable()).isTrue();
    }

    @Test
    void historiesMerge() {
        History a = Observed.of(committed(1, r0(X), r0(Y), w(X, 1, 10))).withInitial(Z, 1, 1).history();
        History b = Observed.of(committed(2, r0(X), r0(Y), w(Y, 1, 20)), aborted(3, w(Z, 2, 2))).history();
        a.addAll(b);
        assertThat(a.transactions()).isEqualTo(2);
        assertThat(a.abortedAttempts()).isEqualTo(1);
        assertThat(a.initialVersions()).isEqualTo(1);
        assertThat(SerializabilityChecker.check(a).count(G2_ITEM)).isPositive();
    }

    @Test
    void digestsTellValuesApartAndIgnoreTheBytesOfAnAbsentRecord() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(80);
            long zero = History.digest(v, 0, 40, true);
            v.set(ValueLayout.JAVA_BYTE, 39, (byte) 1);
            assertThat(History.digest(v, 0, 40, true)).isNotEqualTo(zero).isNotEqualTo(History.ABSENT);
            assertThat(History.digest(v, 40, 40, true)).isEqualTo(zero);
            assertThat(History.digest(v, 0, 40, false)).isEqualTo(History.ABSENT);
            assertThat(History.digest(v, 0, 7, true)).isNotEqualTo(History.digest(v, 0, 8, true));
        }
    }

    @Test
    void badRecordingIsRefused() {
        History h = new History();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.read(X, 0, 0)).hasMessageContaining("outside begin()");
        h.begin(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.read(X, -1, 0)).hasMessageContaining("32-bit unsigned");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.begin(2)).hasMessageContaining("still being recorded");
    }

    @Test
    void unclassifiedAntiDependenciesAreNotSerializable() {
        // a write skew joined by a dependency needs a reachability query; with no budget it stays undecided
        Observed o = Observed.of(
                committed(1, r0(X), w(Z, 1, 10)),
                committed(2, w(X, 1, 20), w(Y, 1, 21)),
                committed(3, r(Y, 1, 21), r0(Z)));
        Result r = SerializabilityChecker.check(o.history(), 5, 0);
        assertThat(r.unclassified()).isEqualTo(2);
        assertThat(r.serializable()).isFalse();
        assertThat(r.summary()).contains("(unclassified) 2");
    }

    // ---- scale ----

    /**
     * A TATP-like run executed one transaction at a time on a versioned store: reads of 1–4
     * records, 20% writing the first of them, some aborted attempts, a populated start.
     */
    static History run(int txns, int keys, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] version = new int[keys];
        long[] digest = new long[keys];
        History h = new History();
        for (int k = 0; k < keys; k++) {
            if (k % 3 != 0) {
                version[k] = 1;
                digest[k] = 1000 + k;
                h.initial(k, 1, digest[k]);
            }
        }
        long[] picked = new long[4];
        for (int t = 0; t < txns; t++) {
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                picked[i] = rnd.nextInt(keys);
            }
            boolean writer = rnd.nextInt(5) == 0;
            if (writer && rnd.nextInt(10) == 0) {
                h.begin(-1 - t);
                h.write(picked[0], version[(int) picked[0]] + 1L, rnd.nextLong());
                h.abort();
            }
            h.begin(t);
            for (int i = 0; i < n; i++) {
                int k = (int) picked[i];
                h.read(k, version[k], digest[k]);
            }
            if (writer) {
                int k = (int) picked[0];
                version[k]++;
                digest[k] = rnd.nextLong();
                h.write(k, version[k], digest[k]);
            }
            h.commit();
        }
        return h;
    }

    @Test
    void aMillionTransactionsAreCheckedInOnePass() {
        History h = run(1_000_000, 100_000, 1);
        Result r = SerializabilityChecker.check(h);
        System.out.printf("checker: %,d transactions, %,d accesses: %.2f s, heap in use %d MiB%n", r.transactions(),
                h.accesses(), r.nanos() / 1e9, (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1 << 20));
        assertThat(r.serializable()).as("%s", r).isTrue();
        assertThat(r.transactions()).isEqualTo(1_000_000);
        assertThat(r.toString()).doesNotContain("\n");
    }

    @Test
    void aBrokenRunPrintsABoundedReport() {
        // 200,000 lost updates: both writers of a pair wrote the same version
        History h = new History();
        for (int i = 0; i < 200_000; i++) {
            h.begin(2L * i);
            h.read(i, 0, History.ABSENT);
            h.write(i, 1, 1);
            h.commit();
            h.begin(2L * i + 1);
            h.read(i, 0, History.ABSENT);
            h.write(i, 1, 2);
            h.commit();
        }
        Result r = SerializabilityChecker.check(h);
        assertThat(r.count(VERSION_ORDER)).isEqualTo(200_000);
        assertThat(r.count(G2_ITEM)).as("each rw edge of each pair").isEqualTo(400_000);
        assertThat(r.toString().lines().count()).as("one summary line and a few examples per class").isLessThanOrEqualTo(11);
        System.out.println("checker on 200,000 lost updates: " + r.summary() + String.format(" in %.2f s", r.nanos() / 1e9));
    }
}
