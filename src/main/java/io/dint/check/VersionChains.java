package io.dint.check;

import static io.dint.check.Accesses.ABORTED;
import static io.dint.check.Accesses.FINAL;
import static io.dint.check.Accesses.INTERMEDIATE;
import static io.dint.check.Accesses.READ;
import static io.dint.check.DependencyGraph.RW;
import static io.dint.check.DependencyGraph.WR;
import static io.dint.check.DependencyGraph.WW;
import static io.dint.check.SerializabilityChecker.txn;

import io.dint.check.SerializabilityChecker.Anomaly;
import io.dint.check.SerializabilityChecker.Edge;
import io.dint.check.SerializabilityChecker.Kind;
import java.util.List;
import java.util.function.Supplier;

/**
 * Walks each key's chain of installed versions — its initial version, then the final write of
 * each committed transaction that wrote it, in version order — adding the key's dependencies to
 * the graph: ww from each install to the next, wr from an install to each read of it, rw from each
 * read to the next installed version. Installs out of version order and reads that no install
 * explains (G1a, G1b, garbage, wrong value) are reported as findings.
 */
final class VersionChains {
    private final History h;
    private final Accesses accesses;
    private final DependencyGraph graph;
    private final Findings findings;

    // the chain of the key being walked: version, value digest, installing transaction (-1: the
    // initial version) and its access; runEnd[j]: the index after the run of equal versions j is in
    private final LongList version = new LongList(16), digest = new LongList(16);
    private final IntList writer = new IntList(16), op = new IntList(16), runEnd = new IntList(16);

    private VersionChains(History h, Accesses accesses, DependencyGraph graph, Findings findings) {
        this.h = h;
        this.accesses = accesses;
        this.graph = graph;
        this.findings = findings;
    }

    /** The dependency graph of h, frozen, its per-access and per-key findings reported to {@code findings}. */
    static DependencyGraph of(History h, Findings findings) {
        Accesses accesses = new Accesses(h, findings);
        DependencyGraph graph = new DependencyGraph(h);
        VersionChains chains = new VersionChains(h, accesses, graph, findings);
        for (int k = 0; k < accesses.keys(); k++) {
            chains.walk(k);
        }
        graph.freeze();
        return graph;
    }

    /** Key k's chain: its accesses sorted by version and role ({@link Accesses#packed}). */
    private void walk(int key) {
        long k = accesses.key(key);
        int s = accesses.start(key), e = accesses.end(key), initial = accesses.initial(key);
        long vi = initial < 0 ? 0 : h.initialVersion(initial);
        long di = initial < 0 ? History.ABSENT : h.initialDigest(initial);
        clear();
        boolean initialPlaced = false;
        for (int i = s; i < e; i++) {
            int o = Accesses.op(accesses.packed(i));
            if (accesses.role[o] != FINAL) {
                continue;
            }
            long v = h.version(o);
            if (!initialPlaced && v >= vi) {
                append(vi, di, -1, -1);
                initialPlaced = true;
            }
            int t = accesses.owner[o], first = accesses.firstWrite[o], last = version.size() - 1;
            if (v <= vi) {
                findings.add(Anomaly.VERSION_ORDER, () -> txn(h.txnId(t)) + " installed key " + Long.toHexString(k)
                        + " version " + v + ", not newer than its initial version " + vi);
            } else if (last >= 0 && version.get(last) == v) {
                int other = writer.get(last);
                findings.add(Anomaly.VERSION_ORDER, () -> txn(h.txnId(other)) + " and " + txn(h.txnId(t))
                        + " both installed version " + v + " of key " + Long.toHexString(k) + " (a lost update)");
            } else if (first != o && h.version(first) <= version.get(last)) {
                long prior = version.get(last);
                findings.add(Anomaly.VERSION_ORDER, () -> txn(h.txnId(t)) + " wrote key " + Long.toHexString(k)
                        + " version " + h.version(first) + ", not newer than version " + prior + " before it");
            }
            append(v, h.digestOf(o), t, o);
        }
        if (!initialPlaced) {
            append(vi, di, -1, -1);
        }
        int chain = version.size();
        // runs of equal versions: two installs of one version (a finding) have no known order, so
        // no ww edge joins them and every cycle reported holds whatever that order was
        for (int j = chain - 1; j >= 0; j--) {
            runEnd.set(j, j + 1 < chain && version.get(j + 1) == version.get(j) ? runEnd.get(j + 1) : j + 1);
        }
        for (int j = 0; j < chain; j++) {
            if (writer.get(j) < 0) {
                continue;
            }
            for (int x = runEnd.get(j); x < chain && x < runEnd.get(runEnd.get(j)); x++) {
                if (writer.get(x) >= 0) {
                    graph.add(writer.get(j), writer.get(x), WW, op.get(x));
                }
            }
        }
        // version groups: installed versions are in the chain; reads resolve against it
        int cp = 0;
        int g = s;
        while (g < e) {
            long v = Accesses.version(accesses.packed(g));
            int ge = g;
            while (ge < e && Accesses.version(accesses.packed(ge)) == v) {
                ge++;
            }
            while (cp < chain && version.get(cp) < v) {
                cp++;
            }
            for (int i = g; i < ge; i++) {
                int o = Accesses.op(accesses.packed(i));
                if (accesses.role[o] == READ) {
                    read(k, v, o, cp, g, ge);
                }
            }
            g = ge;
        }
    }

    private void clear() {
        version.truncate(0);
        digest.truncate(0);
        writer.truncate(0);
        op.truncate(0);
        runEnd.truncate(0);
    }

    private void append(long v, long d, int w, int o) {
        version.add(v);
        digest.add(d);
        writer.add(w);
        op.add(o);
        runEnd.add(0);
    }

    /**
     * Read o of version v of key k: the chain from cp on holds the installed versions {@code >= v};
     * packed accesses g .. ge - 1 are those of version v.
     */
    private void read(long k, long v, int o, int cp, int g, int ge) {
        int t = accesses.owner[o];
        long d = h.digestOf(o);
        int chain = version.size();
        boolean installed = false;
        for (int j = cp; j < chain && version.get(j) == v; j++) {
            installed = true;
            if (digest.get(j) != d) {
                continue;
            }
            int w = writer.get(j);
            if (w == t) {
                findings.add(Anomaly.G1C, () -> txn(h.txnId(t)) + " read key " + Long.toHexString(k) + " version " + v
                        + " that it installed itself", List.of(new Edge(h.txnId(t), h.txnId(t), Kind.WR, k, v)));
                return;
            }
            if (w >= 0) {
                graph.add(w, t, WR, o);
            }
            for (int x = runEnd.get(j); x < chain && x < runEnd.get(runEnd.get(j)); x++) {
                if (writer.get(x) >= 0 && writer.get(x) != t) {
                    graph.add(t, writer.get(x), RW, o); // to every install of the next installed version
                }
            }
            return;
        }
        int aborted = -1, intermediate = -1, abortedAny = -1, intermediateAny = -1;
        for (int i = g; i < ge; i++) {
            int p = Accesses.op(accesses.packed(i));
            if (accesses.role[p] == ABORTED) {
                abortedAny = abortedAny < 0 ? p : abortedAny;
                aborted = aborted < 0 && h.digestOf(p) == d ? p : aborted;
            } else if (accesses.role[p] == INTERMEDIATE) {
                intermediateAny = intermediateAny < 0 ? p : intermediateAny;
                intermediate = intermediate < 0 && h.digestOf(p) == d ? p : intermediate;
            }
        }
        Supplier<String> what = () -> txn(h.txnId(t)) + " read key " + Long.toHexString(k) + " version " + v;
        boolean exact = aborted >= 0 || intermediate >= 0;
        if (!exact && installed) {
            findings.add(Anomaly.WRONG_VALUE, () -> what.get() + " with a value (digest " + Long.toHexString(d)
                    + ") other than what its installer wrote");
        } else if (aborted >= 0 || (intermediate < 0 && abortedAny >= 0)) {
            int p = aborted >= 0 ? aborted : abortedAny;
            findings.add(Anomaly.G1A, () -> what.get() + ", written only by the aborted attempt " + txn(h.txnId(accesses.owner[p]))
                    + (exact ? "" : " (with another value)"));
        } else if (intermediate >= 0 || intermediateAny >= 0) {
            int p = intermediate >= 0 ? intermediate : intermediateAny;
            findings.add(Anomaly.G1B, () -> what.get() + ", which " + txn(h.txnId(accesses.owner[p])) + " overwrote before it committed"
                    + (exact ? "" : " (with another value)"));
        } else {
            findings.add(Anomaly.GARBAGE, () -> what.get() + ": no transaction wrote it and it is not the initial version");
        }
    }
}
