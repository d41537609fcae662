package io.dint.check;

import io.dint.check.SerializabilityChecker.Edge;
import io.dint.check.SerializabilityChecker.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The dependency graph of a history: a node per recorded transaction (by its index in the
 * {@link History}; aborted attempts have no edges), a ww, wr or rw edge per dependency, each
 * naming the access it comes from. Edges are {@link #add added} while the version chains are
 * walked, then {@link #freeze frozen} into adjacency arrays (compressed rows: node u's edges are
 * {@code first[u] .. first[u + 1] - 1}) for the cycle search.
 */
final class DependencyGraph {
    /** Edge kinds, as bits so that a mask selects several. */
    static final int WW = 1, WR = 2, RW = 4, ALL = WW | WR | RW;

    private final History h;
    /** Nodes: every transaction recorded, committed or aborted. */
    final int n;

    // edges as added
    private IntList addedFrom = new IntList(1024), addedTo = new IntList(1024), addedOp = new IntList(1024),
            addedKind = new IntList(1024);

    // edges frozen into adjacency arrays
    int[] first;
    int[] adjTo;
    int[] adjOp;
    byte[] adjKind;

    // breadth-first search state, made on the first search
    private int[] seen, via, queue;
    private int stamp;

    DependencyGraph(History h) {
        this.h = h;
        this.n = h.recorded();
    }

    /** Transaction {@code from} must precede {@code to} because of access {@code op} (kind: {@link #WW}, …). */
    void add(int from, int to, int kind, int op) {
        addedFrom.add(from);
        addedTo.add(to);
        addedOp.add(op);
        addedKind.add(kind);
    }

    /** Edges added (before {@link #freeze}) or held (after). */
    int edges() {
        return adjTo == null ? addedTo.size() : adjTo.length;
    }

    /** Moves the edges added into the adjacency arrays, grouped by source; no edge may be added after. */
    void freeze() {
        int edges = addedTo.size();
        first = new int[n + 1];
        for (int i = 0; i < edges; i++) {
            first[addedFrom.get(i) + 1]++;
        }
        for (int v = 0; v < n; v++) {
            first[v + 1] += first[v];
        }
        int[] fill = Arrays.copyOf(first, n);
        adjTo = new int[edges];
        adjOp = new int[edges];
        adjKind = new byte[edges];
        for (int i = 0; i < edges; i++) {
            int at = fill[addedFrom.get(i)]++;
            adjTo[at] = addedTo.get(i);
            adjOp[at] = addedOp.get(i);
            adjKind[at] = (byte) addedKind.get(i);
        }
        addedFrom = addedTo = addedOp = addedKind = null;
    }

    /** The source of edge e: the node whose row holds it. */
    int sourceOf(int e) {
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

    /** Edge e, of node u, as the report names it: transaction ids, kind, key and version. */
    Edge edge(int u, int e) {
        Kind k = adjKind[e] == WW ? Kind.WW : adjKind[e] == WR ? Kind.WR : Kind.RW;
        int o = adjOp[e];
        return new Edge(h.txnId(u), h.txnId(adjTo[e]), k, h.key(o), h.version(o));
    }

    /**
     * A shortest path from {@code src} to {@code dst} over edges of the kinds in {@code mask} that
     * stays inside dst's component of {@code comp} (breadth first). Both must lie on one cycle.
     */
    List<Edge> shortestPath(int src, int dst, int mask, int[] comp) {
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
            path.addFirst(edge(x, e));
            y = x;
        }
        return path;
    }
}
