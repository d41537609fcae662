package io.dint.check;

import io.dint.wire.Hash64;
import java.util.ArrayList;
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
            return txn(from) + " -" + kind.name().toLowerCase(Locale.ROOT) + "(key " + Long.toHexString(key) + " v" + version
                    + ")-> " + txn(to);
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

    static Result check(History h, int examples, long budget) {
        long t0 = System.nanoTime();
        Run run = new Run(h, examples, budget);
        run.roles();
        run.keys();
        run.cycles();
        return new Result(h.transactions(), h.abortedAttempts(), h.initialVersions(), run.edges, run.counts,
                run.unclassified, List.copyOf(run.found), System.nanoTime() - t0);
    }

    private static String txn(long id) {
        return "T" + Long.toHexString(id);
    }

    /** One check's state: accesses by role and key, the dependency graph, its components. */
    private static final class Run {
        private static final int FINAL = 0, INTERMEDIATE = 1, ABORTED = 2, READ = 3;
        private static final int WW = 1, WR = 2, RW = 4, ALL = 7;

        final History h;
        final int examples;
        final long budget;
        final int n;
        final int m;
        final int[] owner;
        final byte[] role;
        final int[] firstWrite; // for a final write: the same transaction's first write of the key
        final long[] counts = new long[Anomaly.values().length];
        final List<Finding> found = new ArrayList<>();
        long unclassified;

        // edges as built, then adjacency (CSR)
        int[] eFrom = new int[1024], eTo = new int[1024], eOp = new int[1024];
        byte[] eKind = new byte[1024];
        int edges;
        int[] first;
        int[] adjTo, adjOp;
        byte[] adjKind;

        Run(History h, int examples, long budget) {
            this.h = h;
            this.examples = examples;
            this.budget = budget;
            this.n = h.recorded();
            this.m = h.accesses();
            if (m >= 1 << 30) {
                throw new IllegalArgumentException("a history of " + m + " accesses is more than the checker indexes (2^30)");
            }
            this.owner = new int[m];
            this.role = new byte[m];
            this.firstWrite = new int[m];
        }

        /** Each access's role; a transaction's writes of one key must grow. */
        void roles() {
            for (int t = 0; t < n; t++) {
                int a = h.firstOp(t), b = h.firstOp(t + 1);
                boolean abort = h.isAborted(t);
                for (int o = a; o < b; o++) {
                    owner[o] = t;
                    if (abort) {
                        role[o] = ABORTED;
                        continue;
                    }
                    if (!h.isWrite(o)) {
                        role[o] = READ;
                        continue;
                    }
                    int previous = -1, later = -1;
                    firstWrite[o] = o;
                    for (int p = a; p < b; p++) {
                        if (p != o && h.isWrite(p) && h.key(p) == h.key(o)) {
                            if (p < o) {
                                previous = p;
                                firstWrite[o] = Math.min(firstWrite[o], p);
                            } else if (later < 0) {
                                later = p;
                            }
                        }
                    }
                    role[o] = (byte) (later < 0 ? FINAL : INTERMEDIATE);
                    if (previous >= 0 && h.version(o) <= h.version(previous)) {
                        int op = o, prior = previous, txn = t;
                        finding(Anomaly.VERSION_ORDER, () -> txn(h.txnId(txn)) + " wrote key " + Long.toHexString(h.key(op))
                                + " version " + h.version(op) + " after its own version " + h.version(prior), null);
                    }
                }
            }
        }

        // ---- per key: chains of installed versions, edges, findings on reads ----

        private long[] chVersion = new long[16], chDigest = new long[16];
        private int[] chWriter = new int[16], chOp = new int[16];
        private int[] chRunEnd = new int[16]; // the index after the run of equal versions j is in
        private int chain;

        void keys() {
            // accesses grouped by key (dense ids in first-seen order), each group sorted by version and role
            KeyIndex ids = new KeyIndex(m);
            int[] id = new int[m];
            for (int o = 0; o < m; o++) {
                id[o] = ids.add(h.key(o));
            }
            int keys = ids.size();
            int[] start = new int[keys + 1];
            for (int o = 0; o < m; o++) {
                start[id[o] + 1]++;
            }
            for (int k = 0; k < keys; k++) {
                start[k + 1] += start[k];
            }
            int[] fill = Arrays.copyOf(start, keys);
            long[] packed = new long[m];
            for (int o = 0; o < m; o++) {
                // the sign bit flipped so that a signed sort orders versions as unsigned
                packed[fill[id[o]]++] = (h.version(o) << 32 | (long) role[o] << 30 | o) ^ Long.MIN_VALUE;
            }
            for (int k = 0; k < keys; k++) {
                Arrays.sort(packed, start[k], start[k + 1]);
            }
            for (int i = 0; i < m; i++) {
                packed[i] ^= Long.MIN_VALUE;
            }
            int[] initial = new int[keys];
            Arrays.fill(initial, -1);
            for (int i = 0; i < h.initialVersions(); i++) {
                int k = ids.find(h.initialKey(i));
                if (k >= 0 && (initial[k] < 0 || h.initialVersion(i) > h.initialVersion(initial[k]))) {
                    initial[k] = i; // the highest declared version counts
                }
            }
            for (int k = 0; k < keys; k++) {
                chainOf(ids.key(k), packed, start[k], start[k + 1], initial[k]);
            }
            buildAdjacency();
        }

        /** Key k's accesses, packed[s..e) sorted by version and role; its initial version's index or -1. */
        private void chainOf(long k, long[] packed, int s, int e, int initial) {
            long vi = initial < 0 ? 0 : h.initialVersion(initial);
            long di = initial < 0 ? History.ABSENT : h.initialDigest(initial);
            chain = 0;
            boolean initialPlaced = false;
            for (int i = s; i < e; i++) {
                int o = (int) (packed[i] & ((1 << 30) - 1));
                if (role[o] != FINAL) {
                    continue;
                }
                long v = h.version(o);
                if (!initialPlaced && v >= vi) {
                    append(vi, di, -1, -1);
                    initialPlaced = true;
                }
                if (v <= vi) {
                    finding(Anomaly.VERSION_ORDER, () -> txn(h.txnId(owner[o])) + " installed key " + Long.toHexString(k)
                            + " version " + v + ", not newer than its initial version " + vi, null);
                } else if (chain > 0 && chVersion[chain - 1] == v) {
                    int other = chWriter[chain - 1];
                    finding(Anomaly.VERSION_ORDER, () -> txn(h.txnId(other)) + " and " + txn(h.txnId(owner[o]))
                            + " both installed version " + v + " of key " + Long.toHexString(k) + " (a lost update)", null);
                } else if (firstWrite[o] != o && h.version(firstWrite[o]) <= chVersion[chain - 1]) {
                    long prior = chVersion[chain - 1];
                    finding(Anomaly.VERSION_ORDER, () -> txn(h.txnId(owner[o])) + " wrote key " + Long.toHexString(k)
                            + " version " + h.version(firstWrite[o]) + ", not newer than version " + prior + " before it", null);
                }
                append(v, h.digestOf(o), owner[o], o);
            }
            if (!initialPlaced) {
                append(vi, di, -1, -1);
            }
            // runs of equal versions: two installs of one version (a finding) have no known order, so
            // no ww edge joins them and every cycle reported holds whatever that order was
            for (int j = chain - 1; j >= 0; j--) {
                chRunEnd[j] = j + 1 < chain && chVersion[j + 1] == chVersion[j] ? chRunEnd[j + 1] : j + 1;
            }
            for (int j = 0; j < chain; j++) {
                if (chWriter[j] < 0) {
                    continue;
                }
                for (int x = chRunEnd[j]; x < chain && x < chRunEnd[chRunEnd[j]]; x++) {
                    if (chWriter[x] >= 0) {
                        edge(chWriter[j], chWriter[x], WW, chOp[x]);
                    }
                }
            }
            // version groups: installed versions are in the chain; reads resolve against it
            int cp = 0;
            int g = s;
            while (g < e) {
                long v = packed[g] >>> 32;
                int ge = g;
                while (ge < e && packed[ge] >>> 32 == v) {
                    ge++;
                }
                while (cp < chain && chVersion[cp] < v) {
                    cp++;
                }
                for (int i = g; i < ge; i++) {
                    int o = (int) (packed[i] & ((1 << 30) - 1));
                    if (role[o] == READ) {
                        read(k, v, o, cp, packed, g, ge);
                    }
                }
                g = ge;
            }
        }

        private void append(long version, long digest, int writer, int op) {
            if (chain == chVersion.length) {
                chVersion = Arrays.copyOf(chVersion, chain * 2);
                chDigest = Arrays.copyOf(chDigest, chain * 2);
                chWriter = Arrays.copyOf(chWriter, chain * 2);
                chOp = Arrays.copyOf(chOp, chain * 2);
                chRunEnd = Arrays.copyOf(chRunEnd, chain * 2);
            }
            chVersion[chain] = version;
            chDigest[chain] = digest;
            chWriter[chain] = writer;
            chOp[chain] = op;
            chain++;
        }

        /** Read o of version v of key k: the chain from cp on holds the installed versions >= v. */
        private void read(long k, long v, int o, int cp, long[] packed, int g, int ge) {
            int t = owner[o];
            long d = h.digestOf(o);
            boolean installed = false;
            for (int j = cp; j < chain && chVersion[j] == v; j++) {
                installed = true;
                if (chDigest[j] != d) {
                    continue;
                }
                int w = chWriter[j];
                if (w == t) {
                    finding(Anomaly.G1C, () -> txn(h.txnId(t)) + " read key " + Long.toHexString(k) + " version " + v
                            + " that it installed itself", List.of(new Edge(h.txnId(t), h.txnId(t), Kind.WR, k, v)));
                    return;
                }
                if (w >= 0) {
                    edge(w, t, WR, o);
                }
                for (int x = chRunEnd[j]; x < chain && x < chRunEnd[chRunEnd[j]]; x++) {
                    if (chWriter[x] >= 0 && chWriter[x] != t) {
                        edge(t, chWriter[x], RW, o); // to every install of the next installed version
                    }
                }
                return;
            }
            int aborted = -1, intermediate = -1, abortedAny = -1, intermediateAny = -1;
            for (int i = g; i < ge; i++) {
                int p = (int) (packed[i] & ((1 << 30) - 1));
                if (role[p] == ABORTED) {
                    abortedAny = abortedAny < 0 ? p : abortedAny;
                    aborted = aborted < 0 && h.digestOf(p) == d ? p : aborted;
                } else if (role[p] == INTERMEDIATE) {
                    intermediateAny = intermediateAny < 0 ? p : intermediateAny;
                    intermediate = intermediate < 0 && h.digestOf(p) == d ? p : intermediate;
                }
            }
            java.util.function.Supplier<String> what = () -> txn(h.txnId(t)) + " read key " + Long.toHexString(k) + " version " + v;
            boolean exact = aborted >= 0 || intermediate >= 0;
            if (!exact && installed) {
                finding(Anomaly.WRONG_VALUE, () -> what.get() + " with a value (digest " + Long.toHexString(d)
                        + ") other than what its installer wrote", null);
            } else if (aborted >= 0 || (intermediate < 0 && abortedAny >= 0)) {
                int p = aborted >= 0 ? aborted : abortedAny;
                finding(Anomaly.G1A, () -> what.get() + ", written only by the aborted attempt " + txn(h.txnId(owner[p]))
                        + (exact ? "" : " (with another value)"), null);
            } else if (intermediate >= 0 || intermediateAny >= 0) {
                int p = intermediate >= 0 ? intermediate : intermediateAny;
                finding(Anomaly.G1B, () -> what.get() + ", which " + txn(h.txnId(owner[p])) + " overwrote before it committed"
                        + (exact ? "" : " (with another value)"), null);
            } else {
                finding(Anomaly.GARBAGE, () -> what.get() + ": no transaction wrote it and it is not the initial version", null);
            }
        }

        private void edge(int from, int to, int kind, int op) {
            if (edges == eFrom.length) {
                eFrom = Arrays.copyOf(eFrom, edges * 2);
                eTo = Arrays.copyOf(eTo, edges * 2);
                eOp = Arrays.copyOf(eOp, edges * 2);
                eKind = Arrays.copyOf(eKind, edges * 2);
            }
            eFrom[edges] = from;
            eTo[edges] = to;
            eOp[edges] = op;
            eKind[edges] = (byte) kind;
            edges++;
        }

        private void buildAdjacency() {
            first = new int[n + 1];
            for (int i = 0; i < edges; i++) {
                first[eFrom[i] + 1]++;
            }
            for (int v = 0; v < n; v++) {
                first[v + 1] += first[v];
            }
            int[] fill = Arrays.copyOf(first, n);
            adjTo = new int[edges];
            adjOp = new int[edges];
            adjKind = new byte[edges];
            for (int i = 0; i < edges; i++) {
                int at = fill[eFrom[i]]++;
                adjTo[at] = eTo[i];
                adjOp[at] = eOp[i];
                adjKind[at] = eKind[i];
            }
            eFrom = eTo = eOp = null;
            eKind = null;
        }

        // ---- cycles ----

        private int[] compSize;

        /** Strongly connected components over edges of the kinds in {@code mask}; ids in completion order. */
        private int[] components(int mask) {
            int[] index = new int[n], low = new int[n], comp = new int[n];
            Arrays.fill(index, -1);
            int[] stack = new int[n], callNode = new int[n], callEdge = new int[n];
            boolean[] onStack = new boolean[n];
            int sp = 0, counter = 0, comps = 0;
            int[] sizes = new int[Math.max(1, n)];
            for (int root = 0; root < n; root++) {
                if (index[root] >= 0) {
                    continue;
                }
                int depth = 0;
                callNode[0] = root;
                callEdge[0] = first[root];
                index[root] = low[root] = counter++;
                stack[sp++] = root;
                onStack[root] = true;
                while (depth >= 0) {
                    int v = callNode[depth];
                    int e = callEdge[depth];
                    if (e < first[v + 1]) {
                        callEdge[depth] = e + 1;
                        if ((adjKind[e] & mask) == 0) {
                            continue;
                        }
                        int w = adjTo[e];
                        if (index[w] < 0) {
                            index[w] = low[w] = counter++;
                            stack[sp++] = w;
                            onStack[w] = true;
                            depth++;
                            callNode[depth] = w;
                            callEdge[depth] = first[w];
                        } else if (onStack[w]) {
                            low[v] = Math.min(low[v], index[w]);
                        }
                        continue;
                    }
                    if (low[v] == index[v]) {
                        int w;
                        do {
                            w = stack[--sp];
                            onStack[w] = false;
                            comp[w] = comps;
                            sizes[comps]++;
                        } while (w != v);
                        comps++;
                    }
                    depth--;
                    if (depth >= 0) {
                        int parent = callNode[depth];
                        low[parent] = Math.min(low[parent], low[v]);
                    }
                }
            }
            compSize = Arrays.copyOf(sizes, comps);
            return comp;
        }

        void cycles() {
            if (edges == 0) {
                return;
            }
            int[] all = components(ALL);
            int[] allSize = compSize;
            boolean cyclic = false;
            for (int size : allSize) {
                cyclic |= size > 1;
            }
            if (!cyclic) {
                return;
            }
            int[] wr = components(WW | WR);
            int wrComps = compSize.length;
            int[] ww = components(WW);
            // rw edges whose G-single / G2-item class needs a reachability query, by all-component
            IntList pending = new IntList();
            for (int u = 0; u < n; u++) {
                if (allSize[all[u]] < 2) {
                    continue;
                }
                for (int e = first[u]; e < first[u + 1]; e++) {
                    int v = adjTo[e];
                    if (all[v] != all[u]) {
                        continue;
                    }
                    switch (adjKind[e]) {
                        case WW -> {
                            if (ww[u] == ww[v]) {
                                cycleFinding(Anomaly.G0, u, e, WW, ww);
                            }
                        }
                        case WR -> {
                            if (wr[u] == wr[v]) {
                                cycleFinding(Anomaly.G1C, u, e, WW | WR, wr);
                            }
                        }
                        default -> {
                            if (wr[u] == wr[v]) {
                                cycleFinding(Anomaly.G_SINGLE, u, e, WW | WR, wr);
                            } else {
                                pending.add(e);
                            }
                        }
                    }
                }
            }
            if (pending.size > 0) {
                classify(pending, all, allSize.length, wr, wrComps);
            }
        }

        /** Sorts rw edges into G-single (a ww/wr path back) and G2-item, one all-component at a time. */
        private void classify(IntList pending, int[] all, int allComps, int[] wr, int wrComps) {
            int[] from = new int[adjTo.length];
            for (int u = 0; u < n; u++) {
                for (int e = first[u]; e < first[u + 1]; e++) {
                    from[e] = u;
                }
            }
            // nodes grouped by wr-component, wr-components grouped by all-component (ascending ids)
            int[] byWr = group(wr, wrComps, n);
            int[] wrStart = groupStarts;
            int[] wrAll = new int[wrComps];
            for (int x = 0; x < n; x++) {
                wrAll[wr[x]] = all[x];
            }
            int[] wrByAll = group(wrAll, allComps, wrComps);
            int[] allStart = groupStarts;
            int[] local = new int[wrComps];
            // pending edges grouped by the all-component they lie in
            int[] pendAll = new int[pending.size];
            for (int i = 0; i < pending.size; i++) {
                pendAll[i] = all[from[pending.items[i]]];
            }
            int[] pendOrder = group(pendAll, allComps, pending.size);
            int[] pendStart = groupStarts;
            long work = 0;
            for (int c = 0; c < allComps; c++) {
                int qa = pendStart[c], qb = pendStart[c + 1];
                if (qa == qb) {
                    continue;
                }
                int ca = allStart[c], cb = allStart[c + 1]; // this component's wr-components, ascending
                int comps = cb - ca;
                for (int i = ca; i < cb; i++) {
                    local[wrByAll[i]] = i - ca;
                }
                long size = 0;
                for (int i = ca; i < cb; i++) {
                    int wc = wrByAll[i];
                    for (int j = wrStart[wc]; j < wrStart[wc + 1]; j++) {
                        int x = byWr[j];
                        size += 1 + first[x + 1] - first[x];
                    }
                }
                for (int q = qa; q < qb; ) {
                    int words = Math.min(16, (qb - q + 63) / 64);
                    int batch = Math.min(qb - q, 64 * words);
                    if (work + size * words > budget) {
                        unclassified += qb - q;
                        break;
                    }
                    work += size * words;
                    long[] mask = new long[comps * words];
                    for (int i = 0; i < batch; i++) {
                        int target = local[wr[from[pending.items[pendOrder[q + i]]]]];
                        mask[target * words + i / 64] |= 1L << (i % 64);
                    }
                    // Tarjan numbers a component after every component it reaches: ascending is successors first
                    for (int i = ca; i < cb; i++) {
                        int wc = wrByAll[i];
                        int lc = i - ca;
                        for (int j = wrStart[wc]; j < wrStart[wc + 1]; j++) {
                            int x = byWr[j];
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
                        int e = pending.items[pendOrder[q + i]];
                        int source = local[wr[adjTo[e]]];
                        boolean back = (mask[source * words + i / 64] & 1L << (i % 64)) != 0;
                        if (back) {
                            cycleFinding(Anomaly.G_SINGLE, from[e], e, WW | WR, all);
                        } else {
                            cycleFinding(Anomaly.G2_ITEM, from[e], e, ALL, all);
                        }
                    }
                    q += batch;
                }
            }
        }

        private int[] groupStarts;

        /** Indices 0..count-1 grouped by {@code of[i]} in 0..groups-1 (stable); starts in {@link #groupStarts}. */
        private int[] group(int[] of, int groups, int count) {
            int[] start = new int[groups + 1];
            for (int i = 0; i < count; i++) {
                start[of[i] + 1]++;
            }
            for (int g = 0; g < groups; g++) {
                start[g + 1] += start[g];
            }
            int[] fill = Arrays.copyOf(start, groups);
            int[] out = new int[count];
            for (int i = 0; i < count; i++) {
                out[fill[of[i]]++] = i;
            }
            groupStarts = start;
            return out;
        }

        private int[] seen, via, queue;
        private int stamp;

        /** Counts edge e (u -> adjTo[e]) as a finding of class a; an example gets a shortest cycle back over {@code mask}. */
        private void cycleFinding(Anomaly a, int u, int e, int mask, int[] comp) {
            if (counts[a.ordinal()]++ >= examples) {
                return;
            }
            List<Edge> cycle = shortestPath(adjTo[e], u, mask, comp);
            cycle.addFirst(edgeOf(u, e));
            StringBuilder b = new StringBuilder();
            for (Edge x : cycle) {
                b.append(b.isEmpty() ? txn(x.from()) : "").append(" -").append(x.kind().name().toLowerCase(Locale.ROOT))
                        .append("(key ").append(Long.toHexString(x.key())).append(" v").append(x.version()).append(")-> ")
                        .append(txn(x.to()));
            }
            found.add(new Finding(a, b.toString(), List.copyOf(cycle)));
        }

        /** BFS from src to dst over edges of {@code mask} inside dst's component. */
        private List<Edge> shortestPath(int src, int dst, int mask, int[] comp) {
            if (seen == null) {
                seen = new int[n];
                via = new int[n];
                queue = new int[n];
            }
            stamp++;
            int qh = 0, qt = 0;
            queue[qt++] = src;
            seen[src] = stamp;
            via[src] = -1;
            while (qh < qt && seen[dst] != stamp) {
                int x = queue[qh++];
                for (int e = first[x]; e < first[x + 1]; e++) {
                    int y = adjTo[e];
                    if ((adjKind[e] & mask) == 0 || comp[y] != comp[dst] || seen[y] == stamp) {
                        continue;
                    }
                    seen[y] = stamp;
                    via[y] = e;
                    queue[qt++] = y;
                }
            }
            List<Edge> path = new ArrayList<>();
            if (seen[dst] != stamp) {
                throw new IllegalStateException("no path inside a strongly connected component: a checker bug");
            }
            for (int y = dst; y != src; ) {
                int e = via[y];
                int x = sourceOf(e);
                path.addFirst(edgeOf(x, e));
                y = x;
            }
            return path;
        }

        private int sourceOf(int e) {
            int lo = 0, hi = n - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (first[mid] <= e) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }

        private Edge edgeOf(int u, int e) {
            Kind k = adjKind[e] == WW ? Kind.WW : adjKind[e] == WR ? Kind.WR : Kind.RW;
            int o = adjOp[e];
            return new Edge(h.txnId(u), h.txnId(adjTo[e]), k, h.key(o), h.version(o));
        }

        private void finding(Anomaly a, java.util.function.Supplier<String> what, List<Edge> cycle) {
            if (counts[a.ordinal()]++ < examples) {
                found.add(new Finding(a, what.get(), cycle == null ? List.of() : cycle));
            }
        }
    }

    /** A growable int array. */
    private static final class IntList {
        int[] items = new int[64];
        int size;

        void add(int x) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = x;
        }
    }

    /** Dense ids 0, 1, … for 64-bit keys in the order they are added: open addressing on primitive arrays. */
    private static final class KeyIndex {
        private long[] keys;
        private int[] ids;     // -1: empty
        private long[] byId;
        private int size;

        KeyIndex(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, expected) * 2);
            keys = new long[cap];
            ids = new int[cap];
            Arrays.fill(ids, -1);
            byId = new long[16];
        }

        int size() {
            return size;
        }

        long key(int id) {
            return byId[id];
        }

        /** The key's id, or -1. */
        int find(long key) {
            int mask = keys.length - 1;
            for (int i = (int) Hash64.hash(key) & mask; ; i = (i + 1) & mask) {
                if (ids[i] < 0 || keys[i] == key) {
                    return ids[i];
                }
            }
        }

        /** The key's id, given the next one when it is new. */
        int add(long key) {
            int mask = keys.length - 1;
            int i = (int) Hash64.hash(key) & mask;
            for (; ids[i] >= 0; i = (i + 1) & mask) {
                if (keys[i] == key) {
                    return ids[i];
                }
            }
            if (size == byId.length) {
                byId = Arrays.copyOf(byId, size * 2);
            }
            keys[i] = key;
            ids[i] = size;
            byId[size] = key;
            return size++;
        }
    }
}
