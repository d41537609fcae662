package io.dint.check;

import java.util.Arrays;

/** A growable column of longs, doubling when full; {@link IntList}'s twin for keys, digests and ids. */
final class LongList {
    private long[] items;
    private int size;

    LongList(int capacity) {
        items = new long[Math.max(1, capacity)];
    }

    void add(long x) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = x;
    }

    long get(int i) {
        return items[i];
    }

    void set(int i, long x) {
        items[i] = x;
    }

    int size() {
        return size;
    }

    /** Keeps the first {@code n} items. */
    void truncate(int n) {
        size = n;
    }
}
