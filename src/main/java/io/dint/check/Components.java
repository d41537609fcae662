package io.dint.check;

import java.util.Arrays;

/**
 * The strongly connected components of a {@link DependencyGraph} over the edges of some kinds
 * (Tarjan's algorithm, iterative, so that long chains do not overflow the stack). Ids are given
 * in completion order: a component only reaches components of lower ids.
 */
final class Components {
    /** Each node's component. */
    final int[] id;
    /** Each component's node count. */
    final int[] size;

    private Components(int[] id, int[] size) {
        this.id = id;
        this.size = size;
    }

    int count() {
        return size.length;
    }

    /** The components of g over edges of the kinds in {@code mask} ({@link DependencyGraph#WW}, …). */
    static Components of(DependencyGraph g, int mask) {
        int n = g.n;
        int[] first = g.first, adjTo = g.adjTo;
        byte[] adjKind = g.adjKind;
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
        return new Components(comp, Arrays.copyOf(sizes, comps));
    }
}
