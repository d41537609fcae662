package io.dint.check;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Checks a {@link History} for the anomalies of Adya's isolation levels, in what the clients
 * observed. Every key's installed versions form a chain: its initial version, then the last write
 * of each committed transaction that wrote it, in version order. From the chains comes the
 * dependency graph of the committed transactions — ww (T installed a version, U the next one), wr
 * (U read the version T installed), rw (T read a version, U installed the next installed one; a
 * version nobody installed in between does not break the chain). Two installs of one version
 * have no known order: no ww edge joins them, both follow the version before and precede the one
 * after, so every cycle found holds whatever their order was. The findings:
 * <ul>
 * <li>per read: a read of a version only an aborted attempt wrote (G1a), of a version its writer
 * overwrote in the same transaction (G1b), of a version nobody wrote that is not the initial one
 * (garbage), of an installed version with a value other than its writer's (wrong value, by
 * digest);</li>
 * <li>per key: two committed writes of one version, or a write not newer than the version before
 * it (version order: two installs of one version is how a lost update shows);</li>
 * <li>per dependency on a cycle, one class each: a ww edge on a cycle of ww edges (G0); a wr edge
 * on a cycle of ww and wr edges (G1c); an rw edge on a cycle with no other rw edge (G-single); an
 * rw edge whose every cycle has another rw edge (G2-item).</li>
 * </ul>
 * The history is serializable — some serial order of the committed transactions gives every read
 * exactly the version and value it returned, each key's installs in version order — iff there is no
 * finding. Counts are exact; each class keeps a few findings (a shortest cycle for the cycle
 * classes) as examples, so a broken run prints a bounded report. Everything is held in primitive
 * arrays: a serializable history of a million transactions takes about two seconds of one core.
 * Deciding G-single against G2-item needs reachability queries on a cyclic run; past a work budget
 * the rest of its rw edges are counted as unclassified (still not serializable).
 *
 * <p>How a check runs, a class per step: {@link Accesses} gives each access its role and groups
 * the accesses by key; {@link VersionChains} walks each key's chain of installed versions into a
 * {@link DependencyGraph} and reports the per-read and per-key findings; {@link CycleClassifier}
 * classifies each dependency on a cycle, over strongly connected {@link Components}; {@link
 * Findings} counts what was found and keeps the examples.
 */
public final class SerializabilityChecker {
    private SerializabilityChecker() {}

    /** Examples kept per class. */
    static final int EXAMPLES = 5;
    /** Edge visits the G-single / G2-item classification may spend (about a second per 10^9). */
    static final long WORK_BUDGET = 2_000_000_000L;

    /** The classes of findings. */
    public enum Anomaly {
        G0("G0", "write cycle"),
        G1A("G1a", "aborted read"),
        G1B("G1b", "intermediate read"),
        G1C("G1c", "circular information flow"),
        G_SINGLE("G-single", "one anti-dependency on a cycle"),
        G2_ITEM("G2-item", "anti-dependency cycle"),
        GARBAGE("garbage read", "a version nobody wrote"),
        WRONG_VALUE("wrong value", "a version with a value its writer did not write"),
        VERSION_ORDER("version order", "two installs of one version, or an install not newer than the one before");

        private final String label;
        private final String meaning;

        Anomaly(String label, String meaning) {
            this.label = label;
            this.meaning = meaning;
        }

        /** The class's usual name (G0, G1a, …, G-single, G2-item, …). */
        public String label() {
            return label;
        }

        /** What the class means, in a few words. */
        public String meaning() {
            return meaning;
        }
    }

    /** A dependency kind. */
    public enum Kind { WW, WR, RW }

    /**
     * One dependency: {@code from} must precede {@code to} because of {@code version} of
     * {@code key} (ww: the version {@code to} installed; wr and rw: the version the reader read).
     */
    public record Edge(long from, long to, Kind kind, long key, long version) {
        @Override
        public String toString() {
            return txn(from) + arrow();
        }

        /** The edge without its source, " -rw(key 1 v0)-> T2": a cycle is its first source and its arrows. */
        String arrow() {
            return " -" + kind.name().toLowerCase(Locale.ROOT) + "(key " + Long.toHexString(key) + " v" + version + ")-> " + txn(to);
        }
    }

    /** One finding: its class, what was seen, and for the cycle classes a shortest cycle. */
    public record Finding(Anomaly anomaly, String description, List<Edge> cycle) {
        @Override
        public String toString() {
            return anomaly.label() + ": " + description;
        }
    }

    /**
     * @param counts       findings per {@link Anomaly}, by ordinal
     * @param unclassified rw edges on cycles left undecided between G-single and G2-item (work budget)
     * @param examples     a few findings of each class
     */
    public record Result(int transactions, int abortedAttempts, int initialVersions, long dependencies, long[] counts,
                         long unclassified, List<Finding> examples, long nanos) {
        /** No finding of any class. */
        public boolean serializable() {
            return Arrays.stream(counts).allMatch(c -> c == 0) && unclassified == 0;
        }

        /** How many findings of class a (reads, installs or dependencies on cycles, by class). */
        public long count(Anomaly a) {
            return counts[a.ordinal()];
        }

        /** The examples kept of class a. */
        public List<Finding> findings(Anomaly a) {
            return examples.stream().filter(f -> f.anomaly() == a).toList();
        }

        /** The classes found and their counts, e.g. "G-single 12, G2-item 3"; "none" when serializable. */
        public String summary() {
            StringBuilder b = new StringBuilder();
            for (Anomaly a : Anomaly.values()) {
                if (counts[a.ordinal()] > 0) {
                    b.append(b.isEmpty() ? "" : ", ").append(a.label()).append(' ').append(counts[a.ordinal()]);
                }
            }
            if (unclassified > 0) {
                b.append(b.isEmpty() ? "" : ", ").append("G-single or G2-item (unclassified) ").append(unclassified);
            }
            return b.isEmpty() ? "none" : b.toString();
        }

        @Override
        public String toString() {
            String scope = String.format(Locale.ROOT, "%,d committed transactions (%,d aborted attempts, %,d initial versions),"
                    + " %,d dependencies; checked in %.2f s", transactions, abortedAttempts, initialVersions, dependencies, nanos / 1e9);
            if (serializable()) {
                return "serializable: " + scope;
            }
            StringBuilder b = new StringBuilder("NOT serializable: ").append(summary()).append(" among ").append(scope);
            for (Finding f : examples) {
                b.append("\n  ").append(f);
            }
            return b.toString();
        }
    }

    /** Checks {@code h}; the result says what was found, how much of it, and how long it took. */
    public static Result check(History h) {
        return check(h, EXAMPLES, WORK_BUDGET);
    }

    /** Checks {@code h} keeping {@code examples} findings per class, within a work {@code budget} (see {@link #WORK_BUDGET}). */
    static Result check(History h, int examples, long budget) {
        long t0 = System.nanoTime();
        Findings findings = new Findings(examples);
        DependencyGraph graph = VersionChains.of(h, findings);
        new CycleClassifier(graph, findings, budget).run();
        return new Result(h.transactions(), h.abortedAttempts(), h.initialVersions(), graph.edges(), findings.counts(),
                findings.unclassified(), findings.examples(), System.nanoTime() - t0);
    }

    /** A transaction as findings name it: T and its id in hex. */
    static String txn(long id) {
        return "T" + Long.toHexString(id);
    }
}
