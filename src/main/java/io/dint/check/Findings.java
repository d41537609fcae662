package io.dint.check;

import io.dint.check.SerializabilityChecker.Anomaly;
import io.dint.check.SerializabilityChecker.Edge;
import io.dint.check.SerializabilityChecker.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one check found: exact counts per {@link Anomaly}, the first few findings of each class as
 * examples (a broken run of millions of transactions prints a bounded report), and the rw edges
 * left unclassified between G-single and G2-item.
 */
final class Findings {
    private final int examples;
    private final long[] counts = new long[Anomaly.values().length];
    private final List<Finding> kept = new ArrayList<>();
    private long unclassified;

    /** Keeps {@code examples} findings of each class. */
    Findings(int examples) {
        this.examples = examples;
    }

    /**
     * Counts one finding of class a; true when it is to be kept as an example ({@link #keep}).
     * Describing a finding costs more than counting it, so callers describe only these.
     */
    boolean count(Anomaly a) {
        return counts[a.ordinal()]++ < examples;
    }

    /** Keeps an example counted by {@link #count}. */
    void keep(Anomaly a, String description, List<Edge> cycle) {
        kept.add(new Finding(a, description, List.copyOf(cycle)));
    }

    /** Counts a finding of class a, described by {@code what} if it is kept. */
    void add(Anomaly a, Supplier<String> what) {
        add(a, what, List.of());
    }

    /** Counts a finding of class a with the cycle that makes it, described by {@code what} if it is kept. */
    void add(Anomaly a, Supplier<String> what, List<Edge> cycle) {
        if (count(a)) {
            keep(a, what.get(), cycle);
        }
    }

    /** Keeps an example counted by {@link #count} whose description is its cycle, T1 -rw(…)-> T2 -wr(…)-> T1. */
    void keepCycle(Anomaly a, List<Edge> cycle) {
        StringBuilder b = new StringBuilder(SerializabilityChecker.txn(cycle.getFirst().from()));
        for (Edge x : cycle) {
            b.append(x.arrow());
        }
        keep(a, b.toString(), cycle);
    }

    /** Counts rw edges on cycles whose class the work budget left undecided. */
    void unclassified(long edges) {
        unclassified += edges;
    }

    long[] counts() {
        return counts.clone();
    }

    long unclassified() {
        return unclassified;
    }

    List<Finding> examples() {
        return List.copyOf(kept);
    }
}
