package io.dint.check;

import io.dint.wire.Hash64;
import java.util.Arrays;

/** Dense ids 0, 1, … for 64-bit keys in the order they are added: open addressing on primitive arrays. */
final class KeyIndex {
    private final long[] keys;
    private final int[] ids; // -1: empty
    private final LongList byId = new LongList(16);

    /** An index for up to {@code expected} keys; it does not grow. */
    KeyIndex(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected) * 2);
        keys = new long[cap];
        ids = new int[cap];
        Arrays.fill(ids, -1);
    }

    int size() {
        return byId.size();
    }

    long key(int id) {
        return byId.get(id);
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
        keys[i] = key;
        ids[i] = byId.size();
        byId.add(key);
        return ids[i];
    }
}
