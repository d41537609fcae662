package io.dint.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Conflict-serializability of a {@link History}: builds the dependency graph of committed
 * transactions — ww (T wrote a version, U wrote the next one), wr (U read the version T wrote),
 * rw (T read a version, U wrote the next one) — and reports every strongly connected component
 * with more than one transaction, each with one concrete cycle. The history is serializable iff
 * there is none. Versions no committed transaction wrote (the initial population) have no writer.
 */
public final class SerializabilityChecker {
    private SerializabilityChecker() {}

    /** An edge kind and the key it was found on, for cycle reports. */
    public enum Kind { WW, WR, RW }

    /** One dependency on a cycle: {@code from} must precede {@code to} because of {@code key}. */
    public record Edge(long from, long to, Kind kind, long key) {
        @Override
        public String toString() {
            return "txn " + from + " -" + kind.name().toLowerCase() + "(key " + key + ")-> txn " + to;
        }
    }

    /**
     * @param duplicateVersions keys with two committed writers of one version (a lost update the
     *                          version numbering itself shows), as text
     */
    public record Result(int transactions, long edges, List<List<Edge>> cycles, List<String> duplicateVersions) {
        public boolean serializable() {
            return cycles.isEmpty() && duplicateVersions.isEmpty();
        }

        @Override
        public String toString() {
            if (serializable()) {
                return "serializable: " + transactions + " transactions, " + edges + " dependencies, no cycle";
            }
            StringBuilder b = new StringBuilder("NOT serializable: " + cycles.size() + " cycle(s), "
                    + duplicateVersions.size() + " duplicate version(s) among " + transactions + " transactions");
            for (String d : duplicateVersions.subList(0, Math.min(5, duplicateVersions.size()))) {
                b.append("\n  ").append(d);
            }
            for (List<Edge> c : cycles.subList(0, Math.min(5, cycles.size()))) {
                b.append("\n  cycle: ").append(c);
            }
            return b.toString();
        }
    }

    public static Result check(History h) {
        int n = h.transactions();
        int m = h.accesses();
        int[] owner = new int[m];
        for (int t = 0; t < n; t++) {
            for (int o = h.firstOp(t); o < h.firstOp(t + 1); o++) {
                owner[o] = t;
            }
        }
        // accesses sorted by (key, version, writes before reads)
        int[] order = new int[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        order = sort(order, h);

        Graph g = new Graph(n);
        int i = 0;
        while (i < m) {
            long key = h.key(order[i]);
            int keyEnd = i;
            while (keyEnd < m && h.key(order[keyEnd]) == key) {
                keyEnd++;
            }
            edgesOfKey(h, owner, order, i, keyEnd, g);
            i = keyEnd;
        }
        List<List<Edge>> cycles = g.cycles(h);
        return new Result(n, g.edges, cycles, List.copyOf(g.duplicateWrites));
    }

    /**
     * Within one key: version groups in ascending order. The writer of a version precedes its
     * readers (wr) and the writer of the next version (ww); readers of a version precede the
     * writer of the next version (rw).
     */
    private static void edgesOfKey(History h, int[] owner, int[] order, int from, int to, Graph g) {
        long key = h.key(order[from]);
        int prevWriter = -1;
        int prevReadStart = -1, prevReadEnd = -1;
        int i = from;
        while (i < to) {
            long v = h.version(order[i]);
            int end = i;
            while (end < to && h.version(order[end]) == v) {
                end++;
            }
            int writer = -1;
            int readStart = i;
            if (h.isWrite(order[i])) {
                writer = owner[order[i]];
                readStart = i + 1;
                if (readStart < end && h.isWrite(order[readStart])) {
                    g.conflictingWrites(key, v, h.txnId(writer), h.txnId(owner[order[readStart]]));
                }
            }
            if (writer >= 0) {
                if (prevWriter >= 0) {
                    g.add(prevWriter, writer, Kind.WW, key);
                }
                for (int r = prevReadStart; r >= 0 && r < prevReadEnd; r++) {
                    g.add(owner[order[r]], writer, Kind.RW, key);
                }
                for (int r = readStart; r < end; r++) {
                    g.add(writer, owner[order[r]], Kind.WR, key);
                }
                prevWriter = writer;
                prevReadStart = readStart;
                prevReadEnd = end;
            } else {
                // reads of a version no committed transaction wrote: the initial version
                // (or a writer outside the history); they precede the next writer only
                prevReadStart = readStart;
                prevReadEnd = end;
            }
            i = end;
        }
    }

    /** Stable merge sort of access indices by (key, version, writes first); no boxing. */
    private static int[] sort(int[] idx, History h) {
        int[] a = idx, b = new int[idx.length];
        for (int width = 1; width < a.length; width *= 2) {
            for (int lo = 0; lo < a.length; lo += 2 * width) {
                int mid = Math.min(lo + width, a.length), hi = Math.min(lo + 2 * width, a.length);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi) {
                    b[k++] = before(h, a[j], a[i]) ? a[j++] : a[i++];
                }
                while (i < mid) {
                    b[k++] = a[i++];
                }
                while (j < hi) {
                    b[k++] = a[j++];
                }
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }

    private static boolean before(History h, int x, int y) {
        int c = Long.compare(h.key(x), h.key(y));
        if (c == 0) {
            c = Long.compare(h.version(x), h.version(y));
        }
        if (c == 0) {
            c = Boolean.compare(h.isWrite(y), h.isWrite(x));
        }
        return c < 0;
    }

    /** Adjacency lists in growable primitive arrays; edge labels kept for reports. */
    private static final class Graph {
        final int n;
        int[] head;
        int[] next = new int[1024];
        int[] target = new int[1024];
        int[] source = new int[1024];
        byte[] kind = new byte[1024];
        long[] edgeKey = new long[1024];
        int size;
        long edges;
        final List<String> duplicateWrites = new ArrayList<>();

        Graph(int n) {
            this.n = n;
            this.head = new int[n];
            Arrays.fill(head, -1);
        }

        void add(int from, int to, Kind k, long key) {
            if (from == to) {
                return;
            }
            if (size == next.length) {
                next = Arrays.copyOf(next, size * 2);
                target = Arrays.copyOf(target, size * 2);
                source = Arrays.copyOf(source, size * 2);
                kind = Arrays.copyOf(kind, size * 2);
                edgeKey = Arrays.copyOf(edgeKey, size * 2);
            }
            next[size] = head[from];
            target[size] = to;
            source[size] = from;
            kind[size] = (byte) k.ordinal();
            edgeKey[size] = key;
            head[from] = size++;
            edges++;
        }

        void conflictingWrites(long key, long version, long a, long b) {
            duplicateWrites.add("transactions " + a + " and " + b + " both wrote version " + version + " of key " + key);
        }

        /** Tarjan's SCC, iterative; one concrete cycle per non-trivial component. */
        List<List<Edge>> cycles(History h) {
            int[] index = new int[n];
            int[] low = new int[n];
            boolean[] onStack = new boolean[n];
            Arrays.fill(index, -1);
            int[] stack = new int[n];
            int sp = 0;
            int[] callNode = new int[n];
            int[] callEdge = new int[n];
            int counter = 0;
            int[] comp = new int[n];
            Arrays.fill(comp, -1);
            int comps = 0;
            List<Integer> nonTrivial = new ArrayList<>();
            for (int root = 0; root < n; root++) {
                if (index[root] >= 0) {
                    continue;
                }
                int depth = 0;
                callNode[0] = root;
                callEdge[0] = head[root];
                index[root] = low[root] = counter++;
                stack[sp++] = root;
                onStack[root] = true;
                while (depth >= 0) {
                    int v = callNode[depth];
                    int e = callEdge[depth];
                    if (e >= 0) {
                        callEdge[depth] = next[e];
                        int w = target[e];
                        if (index[w] < 0) {
                            index[w] = low[w] = counter++;
                            stack[sp++] = w;
                            onStack[w] = true;
                            depth++;
                            callNode[depth] = w;
                            callEdge[depth] = head[w];
                        } else if (onStack[w]) {
                            low[v] = Math.min(low[v], index[w]);
                        }
                        continue;
                    }
                    if (low[v] == index[v]) {
                        int count = 0;
                        int w;
                        do {
                            w = stack[--sp];
                            onStack[w] = false;
                            comp[w] = comps;
                            count++;
                        } while (w != v);
                        if (count > 1) {
                            nonTrivial.add(v);
                        }
                        comps++;
                    }
                    depth--;
                    if (depth >= 0) {
                        int parent = callNode[depth];
                        low[parent] = Math.min(low[parent], low[v]);
                    }
                }
            }
            List<List<Edge>> cycles = new ArrayList<>();
            for (int start : nonTrivial) {
                cycles.add(cycleThrough(start, comp, h));
            }
            return cycles;
        }

        /** BFS inside the component from start back to start. */
        private List<Edge> cycleThrough(int start, int[] comp, History h) {
            int[] via = new int[n];
            Arrays.fill(via, -2);
            int[] queue = new int[n];
            int qh = 0, qt = 0;
            queue[qt++] = start;
            via[start] = -1;
            int closing = -1;
            search:
            while (qh < qt) {
                int v = queue[qh++];
                for (int e = head[v]; e >= 0; e = next[e]) {
                    int w = target[e];
                    if (comp[w] != comp[start]) {
                        continue;
                    }
                    if (w == start) {
                        closing = e;
                        break search;
                    }
                    if (via[w] == -2) {
                        via[w] = e;
                        queue[qt++] = w;
                    }
                }
            }
            List<Edge> path = new ArrayList<>();
            int e = closing;
            int from = source[e];
            path.add(edge(e, from, h));
            while (from != start) {
                int pe = via[from];
                int pf = source[pe];
                path.add(0, edge(pe, pf, h));
                from = pf;
            }
            return path;
        }

        private Edge edge(int e, int from, History h) {
            return new Edge(h.txnId(from), h.txnId(target[e]), Kind.values()[kind[e]], edgeKey[e]);
        }
    }
}
