package io.dint.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.check.Observed.Op;
import io.dint.check.Observed.Txn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * The checker against a brute-force oracle on small generated histories. A history is what
 * clients observe when a few transactions over a few keys run on a versioned store with no
 * concurrency control: interleaved at random (or one after another), writes installed when made
 * or at commit, new versions numbered from what the transaction read or from what the store holds
 * (sometimes skipping one), some attempts aborting with their early installs left behind or
 * undone, and now and then a read whose version or value is corrupted. So histories of every kind
 * come out, serializable and not, and the verdicts must agree on each.
 */
class SerializabilityOracleTest {

    @Property(tries = 5000)
    void theCheckerAgreesWithTheBruteForceOracle(
            @ForAll @Size(min = 20, max = 100) List<@IntRange(min = 0, max = 9999) Integer> choices) {
        Observed o = new Execution(choices).run();
        SerializabilityChecker.Result result = o.check();
        boolean oracle = o.serializableByBruteForce();
        Statistics.label("verdict").collect(oracle ? "serializable" : "not serializable");
        for (SerializabilityChecker.Anomaly a : SerializabilityChecker.Anomaly.values()) {
            if (result.count(a) > 0) {
                Statistics.label("classes").collect(a.label());
            }
        }
        assertThat(result.serializable()).as("checker: %s%nhistory: %s", result, o).isEqualTo(oracle);
        assertThat(result.unclassified()).isZero();
        if (!result.serializable()) {
            assertThat(result.examples()).as("every non-serializable verdict names a finding").isNotEmpty();
        }
        Statistics.label("verdict").coverage(c -> {
            c.check("serializable").percentage(p -> p > 20);
            c.check("not serializable").percentage(p -> p > 20);
        });
        Statistics.label("classes").coverage(c -> {
            for (SerializabilityChecker.Anomaly a : SerializabilityChecker.Anomaly.values()) {
                c.check(a.label()).count(n -> n > 0);
            }
        });
    }

    /** Interprets a list of choices as one execution; a shorter list (as jqwik shrinks it) gives a simpler one. */
    private static final class Execution {
        private final List<Integer> choices;
        private int next;

        private final Map<Long, long[]> store = new HashMap<>();
        private final Map<Long, long[]> initial = new HashMap<>();

        Execution(List<Integer> choices) {
            this.choices = choices;
        }

        private int choose(int bound) {
            return next < choices.size() ? choices.get(next++) % bound : 0;
        }

        private boolean corrupt; // this execution corrupts some reads

        /** One transaction's program and execution state. */
        private final class Running {
            final long id;
            final List<long[]> program = new ArrayList<>(); // {write ? 1 : 0, key, digest}
            final boolean immediate;   // installs each write when it is made (dirty), else at commit
            final int numbering;       // 0: what it read + 1, 1: the store's + 1 at install, 2: + 1 or + 2
            final boolean abort;
            final boolean undo;        // an aborted attempt's early installs are undone
            final List<long[]> ops = new ArrayList<>(); // {write ? 1 : 0, key, version, digest}
            final Map<Long, Long> readVersion = new HashMap<>();
            final List<long[]> installed = new ArrayList<>(); // {key, version, digest, previous version, previous digest}
            int pc;

            Running(long id, int keys, boolean serial) {
                this.id = id;
                int n = 1 + choose(4);
                int style = choose(3); // 0: reads and writes mixed, 1: reads then writes (as the coordinator runs them), 2: writes
                for (int i = 0; i < n; i++) {
                    boolean write = style == 0 ? choose(2) == 1 : style == 2 || i >= n / 2;
                    long digest = write ? (choose(8) == 0 ? History.ABSENT : 1 + choose(3)) : 0;
                    program.add(new long[] {write ? 1 : 0, choose(keys), digest});
                }
                immediate = !serial && choose(2) == 0;
                numbering = choose(3);
                abort = choose(8) == 0;
                undo = choose(2) == 0;
            }

            boolean done() {
                return pc > program.size();
            }

            void step(List<Txn> out) {
                if (pc == program.size()) {
                    finish(out);
                } else {
                    long[] p = program.get(pc);
                    if (p[0] == 1) {
                        write(p[1], p[2]);
                    } else {
                        read(p[1]);
                    }
                }
                pc++;
            }

            private void read(long key) {
                long[] now = store.getOrDefault(key, new long[] {0, History.ABSENT});
                long version = now[0], digest = now[1];
                if (corrupt && choose(4) == 0) {
                    if (choose(2) == 0) {
                        version += 1 + choose(2); // a version nobody may have written
                    } else {
                        digest = 1 + choose(4);   // or a wrong value
                    }
                }
                readVersion.put(key, version);
                ops.add(new long[] {0, key, version, digest});
            }

            private void write(long key, long digest) {
                long[] op = {1, key, 0, digest};
                if (numbering == 0) {
                    op[2] = readVersion.getOrDefault(key, store.getOrDefault(key, new long[] {0})[0]) + 1;
                }
                ops.add(op);
                if (immediate) {
                    install(op);
                }
            }

            private void install(long[] op) {
                long[] now = store.getOrDefault(op[1], new long[] {0, History.ABSENT});
                if (numbering != 0) {
                    op[2] = now[0] + 1 + (numbering == 2 ? choose(2) : 0);
                }
                if (op[2] > now[0]) {
                    installed.add(new long[] {op[1], op[2], op[3], now[0], now[1]});
                    store.put(op[1], new long[] {op[2], op[3]});
                }
            }

            private void finish(List<Txn> out) {
                if (abort) {
                    if (undo) {
                        for (int i = installed.size() - 1; i >= 0; i--) {
                            long[] x = installed.get(i);
                            long[] now = store.get(x[0]);
                            if (now[0] == x[1] && now[1] == x[2]) {
                                store.put(x[0], new long[] {x[3], x[4]});
                            }
                        }
                    }
                } else if (!immediate) {
                    for (long[] op : ops) {
                        if (op[0] == 1) {
                            install(op);
                        }
                    }
                }
                if (!abort || !immediate) {
                    // an attempt that never installed numbers its would-be writes as if at commit
                    for (long[] op : ops) {
                        if (op[0] == 1 && op[2] == 0) {
                            op[2] = store.getOrDefault(op[1], new long[] {0})[0] + 1;
                        }
                    }
                }
                List<Op> recorded = ops.stream().map(o -> o[0] == 1 ? Observed.w(o[1], o[2], o[3]) : Observed.r(o[1], o[2], o[3])).toList();
                out.add(new Txn(id, !abort, recorded));
            }
        }

        Observed run() {
            int keys = 2 + choose(2) - (choose(5) == 0 ? 1 : 0);
            corrupt = choose(6) == 0;
            for (long k = 0; k < keys; k++) {
                if (choose(3) == 0) {
                    long[] v = {choose(3), choose(4) == 0 ? History.ABSENT : 1 + choose(3)};
                    initial.put(k, v);
                    store.put(k, v.clone());
                }
            }
            boolean serial = choose(4) == 0;
            int count = 1 + choose(6);
            List<Running> running = new ArrayList<>();
            for (int t = 0; t < count; t++) {
                running.add(new Running(t + 1, keys, serial));
            }
            List<Txn> out = new ArrayList<>();
            List<Running> active = new ArrayList<>(running);
            while (!active.isEmpty()) {
                Running r = serial ? active.getFirst() : active.get(choose(active.size()));
                r.step(out);
                if (r.done()) {
                    active.remove(r);
                }
            }
            return new Observed(initial, out);
        }
    }
}
