package io.dint.check;

import static io.dint.check.DependencyGraph.ALL;
import static io.dint.check.DependencyGraph.WR;
import static io.dint.check.DependencyGraph.WW;

import io.dint.check.SerializabilityChecker.Anomaly;
import io.dint.check.SerializabilityChecker.Edge;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the dependencies that lie on cycles and gives each one class: a ww edge on a cycle of ww
 * edges (G0), a wr edge on a cycle of ww and wr edges (G1c), an rw edge on a cycle with no other
 * rw edge (G-single), an rw edge whose every cycle has another rw edge (G2-item). Components tell
 * most of it; an rw edge whose ends lie in different ww/wr-components needs a reachability query
 * (a ww/wr path back from its head to its tail makes it G-single). The queries run 64 to 1,024 at
 * a time as bit sets over the component graph, within a work budget past which the rest are
 * counted as unclassified.
 */
final class CycleClassifier {
    private final DependencyGraph g;
    private final Findings findings;
    private final long budget;

    /** @param budget edge visits the reachability queries may spend (about a second per 10^9) */
    CycleClassifier(DependencyGraph g, Findings findings, long budget) {
        this.g = g;
        this.findings = findings;
        this.budget = budget;
    }

    /** Classifies every dependency on a cycle, reporting to the findings. */
    void run() {
        if (g.edges() == 0) {
            return;
        }
        Components all = Components.of(g, ALL);
        boolean cyclic = false;
        for (int size : all.size) {
            cyclic |= size > 1;
        }
        if (!cyclic) {
            return;
        }
        int[] allOf = all.id;
        Components wrComps = Components.of(g, WW | WR);
        int[] wr = wrComps.id;
        int[] ww = Components.of(g, WW).id;
        int[] first = g.first, adjTo = g.adjTo;
        // rw edges whose G-single / G2-item class needs a reachability query
        IntList pending = new IntList(64);
        for (int u = 0; u < g.n; u++) {
            if (all.size[allOf[u]] < 2) {
                continue;
            }
            for (int e = first[u]; e < first[u + 1]; e++) {
                int v = adjTo[e];
                if (allOf[v] != allOf[u]) {
                    continue;
                }
                switch (g.adjKind[e]) {
                    case WW -> {
                        if (ww[u] == ww[v]) {
                            cycle(Anomaly.G0, u, e, WW, ww);
                        }
                    }
                    case WR -> {
                        if (wr[u] == wr[v]) {
                            cycle(Anomaly.G1C, u, e, WW | WR, wr);
                        }
                    }
                    default -> {
                        if (wr[u] == wr[v]) {
                            cycle(Anomaly.G_SINGLE, u, e, WW | WR, wr);
                        } else {
                            pending.add(e);
                        }
                    }
                }
            }
        }
        if (pending.size() > 0) {
            classify(pending, all, wrComps);
        }
    }

    /** Sorts rw edges into G-single (a ww/wr path back) and G2-item, one all-component at a time. */
    private void classify(IntList pending, Components allComps, Components wrComps) {
        int n = g.n;
        int[] first = g.first, adjTo = g.adjTo;
        byte[] adjKind = g.adjKind;
        int[] all = allComps.id, wr = wrComps.id;
        int[] from = new int[adjTo.length];
        for (int u = 0; u < n; u++) {
            for (int e = first[u]; e < first[u + 1]; e++) {
                from[e] = u;
            }
        }
        // nodes grouped by wr-component, wr-components grouped by all-component (ascending ids)
        Grouping byWr = Grouping.of(wr, wrComps.count(), n);
        int[] wrAll = new int[wrComps.count()];
        for (int x = 0; x < n; x++) {
            wrAll[wr[x]] = all[x];
        }
        Grouping wrByAll = Grouping.of(wrAll, allComps.count(), wrComps.count());
        int[] local = new int[wrComps.count()];
        // pending edges grouped by the all-component they lie in
        int[] pendAll = new int[pending.size()];
        for (int i = 0; i < pending.size(); i++) {
            pendAll[i] = all[from[pending.get(i)]];
        }
        Grouping pend = Grouping.of(pendAll, allComps.count(), pending.size());
        long work = 0;
        for (int c = 0; c < allComps.count(); c++) {
            int qa = pend.start[c], qb = pend.start[c + 1];
            if (qa == qb) {
                continue;
            }
            int ca = wrByAll.start[c], cb = wrByAll.start[c + 1]; // this component's wr-components, ascending
            int comps = cb - ca;
            for (int i = ca; i < cb; i++) {
                local[wrByAll.order[i]] = i - ca;
            }
            long size = 0;
            for (int i = ca; i < cb; i++) {
                int wc = wrByAll.order[i];
                for (int j = byWr.start[wc]; j < byWr.start[wc + 1]; j++) {
                    int x = byWr.order[j];
                    size += 1 + first[x + 1] - first[x];
                }
            }
            for (int q = qa; q < qb; ) {
                int words = Math.min(16, (qb - q + 63) / 64);
                int batch = Math.min(qb - q, 64 * words);
                if (work + size * words > budget) {
                    findings.unclassified(qb - q);
                    break;
                }
                work += size * words;
                long[] mask = new long[comps * words];
                for (int i = 0; i < batch; i++) {
                    int target = local[wr[from[pending.get(pend.order[q + i])]]];
                    mask[target * words + i / 64] |= 1L << (i % 64);
                }
                // Tarjan numbers a component after every component it reaches: ascending is successors first
                for (int i = ca; i < cb; i++) {
                    int wc = wrByAll.order[i];
                    int lc = i - ca;
                    for (int j = byWr.start[wc]; j < byWr.start[wc + 1]; j++) {
                        int x = byWr.order[j];
                        for (int e = first[x]; e < first[x + 1]; e++) {
                            int y = adjTo[e];
                            if ((adjKind[e] & (WW | WR)) == 0 || wr[y] == wc || all[y] != c) {
                                continue;
                            }
                            int ly = local[wr[y]];
                            for (int w = 0; w < words; w++) {
                                mask[lc * words + w] |= mask[ly * words + w];
                            }
                        }
                    }
                }
                for (int i = 0; i < batch; i++) {
                    int e = pending.get(pend.order[q + i]);
                    int source = local[wr[adjTo[e]]];
                    boolean back = (mask[source * words + i / 64] & 1L << (i % 64)) != 0;
                    if (back) {
                        cycle(Anomaly.G_SINGLE, from[e], e, WW | WR, all);
                    } else {
                        cycle(Anomaly.G2_ITEM, from[e], e, ALL, all);
                    }
                }
                q += batch;
            }
        }
    }

    /** Counts edge e (u -> its head) as a finding of class a; an example gets a shortest cycle back over {@code mask}. */
    private void cycle(Anomaly a, int u, int e, int mask, int[] comp) {
        if (findings.count(a)) {
            List<Edge> cycle = g.shortestPath(g.adjTo[e], u, mask, comp);
            cycle.addFirst(g.edge(u, e));
            findings.keepCycle(a, cycle);
        }
    }

    /**
     * Indices 0 .. count - 1 grouped by {@code of[i]} in 0 .. groups - 1, stably: group x is
     * {@code order[start[x]] .. order[start[x + 1] - 1]}.
     */
    private record Grouping(int[] order, int[] start) {
        static Grouping of(int[] of, int groups, int count) {
            int[] start = new int[groups + 1];
            for (int i = 0; i < count; i++) {
                start[of[i] + 1]++;
            }
            for (int x = 0; x < groups; x++) {
                start[x + 1] += start[x];
            }
            int[] fill = Arrays.copyOf(start, groups);
            int[] order = new int[count];
            for (int i = 0; i < count; i++) {
                order[fill[of[i]]++] = i;
            }
            return new Grouping(order, start);
        }
    }
}
