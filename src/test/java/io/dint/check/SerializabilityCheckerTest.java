package io.dint.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SerializabilityCheckerTest {

    private record Access(long key, long version, boolean write) {}

    private record Txn(long id, List<Access> accesses) {}

    private static History history(List<Txn> txns) {
        History h = new History();
        for (Txn t : txns) {
            h.begin(t.id());
            for (Access a : t.accesses()) {
                if (a.write()) {
                    h.write(a.key(), a.version());
                } else {
                    h.read(a.key(), a.version());
                }
            }
            h.commit();
        }
        return h;
    }

    private static Access r(long key, long version) {
        return new Access(key, version, false);
    }

    private static Access w(long key, long version) {
        return new Access(key, version, true);
    }

    /** Transactions run one after another on a versioned store: always serializable, in any recording order. */
    @Property(tries = 200)
    void serialExecutionsAreSerializable(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int count,
                                         @ForAll @IntRange(min = 1, max = 20) int keys) {
        Random rnd = new Random(seed);
        Map<Long, Long> version = new HashMap<>();
        List<Txn> txns = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            List<Access> acc = new ArrayList<>();
            int n = 1 + rnd.nextInt(5);
            for (int i = 0; i < n; i++) {
                long k = rnd.nextInt(keys);
                long v = version.getOrDefault(k, 0L);
                if (rnd.nextBoolean()) {
                    acc.add(r(k, v));
                } else {
                    acc.add(r(k, v));
                    acc.add(w(k, v + 1));
                    version.put(k, v + 1);
                }
            }
            txns.add(new Txn(t, acc));
        }
        Collections.shuffle(txns, rnd);
        SerializabilityChecker.Result result = SerializabilityChecker.check(history(txns));
        assertThat(result.serializable()).as("%s", result).isTrue();
        assertThat(result.transactions()).isEqualTo(count);
    }

    @Test
    void writeSkewIsACycleOfAntiDependencies() {
        // both read x0 and y0; T1 writes x, T2 writes y: each should have seen the other's write
        SerializabilityChecker.Result result = SerializabilityChecker.check(history(List.of(
                new Txn(1, List.of(r(1, 0), r(2, 0), w(1, 1))),
                new Txn(2, List.of(r(1, 0), r(2, 0), w(2, 1))))));
        assertThat(result.serializable()).isFalse();
        assertThat(result.cycles()).hasSize(1);
        assertThat(result.cycles().getFirst()).extracting(SerializabilityChecker.Edge::kind)
                .containsOnly(SerializabilityChecker.Kind.RW);
        assertThat(result.toString()).contains("txn 1", "txn 2", "-rw(key");
    }

    @Test
    void lostUpdateIsFound() {
        // T2 read version 0 but overwrote T1's version 1
        SerializabilityChecker.Result lost = SerializabilityChecker.check(history(List.of(
                new Txn(1, List.of(r(7, 0), w(7, 1))),
                new Txn(2, List.of(r(7, 0), w(7, 2))))));
        assertThat(lost.serializable()).isFalse();
        assertThat(lost.cycles().getFirst()).extracting(SerializabilityChecker.Edge::kind)
                .containsExactlyInAnyOrder(SerializabilityChecker.Kind.WW, SerializabilityChecker.Kind.RW);
        // two writers of the same version: the numbering itself shows it
        SerializabilityChecker.Result same = SerializabilityChecker.check(history(List.of(
                new Txn(1, List.of(r(7, 0), w(7, 1))),
                new Txn(2, List.of(r(7, 0), w(7, 1))))));
        assertThat(same.serializable()).isFalse();
        assertThat(same.duplicateVersions()).singleElement().asString().contains("version 1 of key 7");
    }

    @Test
    void readsOfEachOthersWritesAreACycle() {
        SerializabilityChecker.Result result = SerializabilityChecker.check(history(List.of(
                new Txn(1, List.of(w(1, 1), r(2, 1))),
                new Txn(2, List.of(w(2, 1), r(1, 1))))));
        assertThat(result.cycles()).hasSize(1);
        assertThat(result.cycles().getFirst()).extracting(SerializabilityChecker.Edge::kind)
                .containsOnly(SerializabilityChecker.Kind.WR);
    }

    @Test
    void aLongCycleIsReportedEdgeByEdge() {
        // T1 -ww-> T2 (key 1), T2 -wr-> T3 (key 2), T3 -rw-> T1 (key 3): T3 read 3@0, T1 wrote 3@1
        SerializabilityChecker.Result result = SerializabilityChecker.check(history(List.of(
                new Txn(1, List.of(w(1, 1), w(3, 1))),
                new Txn(2, List.of(w(1, 2), w(2, 1))),
                new Txn(3, List.of(r(2, 1), r(3, 0))),
                new Txn(4, List.of(r(9, 0))))));
        assertThat(result.cycles()).hasSize(1);
        List<SerializabilityChecker.Edge> cycle = result.cycles().getFirst();
        assertThat(cycle).hasSize(3);
        for (int i = 0; i < cycle.size(); i++) {
            assertThat(cycle.get(i).to()).as("edges chain").isEqualTo(cycle.get((i + 1) % cycle.size()).from());
        }
        assertThat(cycle).extracting(SerializabilityChecker.Edge::from).containsExactlyInAnyOrder(1L, 2L, 3L);
    }

    @Test
    void historiesMerge() {
        History a = history(List.of(new Txn(1, List.of(r(1, 0), r(2, 0), w(1, 1)))));
        History b = history(List.of(new Txn(2, List.of(r(1, 0), r(2, 0), w(2, 1)))));
        a.addAll(b);
        assertThat(a.transactions()).isEqualTo(2);
        assertThat(SerializabilityChecker.check(a).serializable()).isFalse();
    }
}
