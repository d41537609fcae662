package io.dint.check;

import java.util.Arrays;

/**
 * A growable column of ints, doubling when full: the history's and the checker's columns grow
 * here, so that a million transactions are held in a few primitive arrays.
 */
final class IntList {
    private int[] items;
    private int size;

    IntList(int capacity) {
        items = new int[Math.max(1, capacity)];
    }

    void add(int x) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = x;
    }

    int get(int i) {
        return items[i];
    }

    void set(int i, int x) {
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
