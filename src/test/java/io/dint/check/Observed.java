package io.dint.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small history as plain objects — initial versions and transactions of reads and writes — for
 * tests: turned into a {@link History} for the checker, and judged by {@link #serializableByBruteForce},
 * an oracle that shares no code with the checker.
 */
record Observed(Map<Long, long[]> initial, List<Txn> txns) {

    /** A read or a write of {@code version} of {@code key} with a value of {@code digest}. */
    record Op(boolean write, long key, long version, long digest) {
        @Override
        public String toString() {
            return (write ? "w" : "r") + "(" + key + "," + version + "," + (digest == History.ABSENT ? "-" : Long.toString(digest)) + ")";
        }
    }

    record Txn(long id, boolean committed, List<Op> ops) {
        @Override
        public String toString() {
            return "T" + Long.toHexString(id) + (committed ? "" : "(aborted)") + ops;
        }
    }

    static Op r(long key, long version, long digest) {
        return new Op(false, key, version, digest);
    }

    static Op w(long key, long version, long digest) {
        return new Op(true, key, version, digest);
    }

    /** A read of the initial absent version 0. */
    static Op r0(long key) {
        return r(key, 0, History.ABSENT);
    }

    static Txn committed(long id, Op... ops) {
        return new Txn(id, true, List.of(ops));
    }

    static Txn aborted(long id, Op... ops) {
        return new Txn(id, false, List.of(ops));
    }

    static Observed of(Txn... txns) {
        return new Observed(Map.of(), List.of(txns));
    }

    Observed withInitial(long key, long version, long digest) {
        Map<Long, long[]> m = new HashMap<>(initial);
        m.put(key, new long[] {version, digest});
        return new Observed(m, txns);
    }

    History history() {
        History h = new History();
        initial.forEach((k, v) -> h.initial(k, v[0], v[1]));
        for (Txn t : txns) {
            h.begin(t.id());
            for (Op o : t.ops()) {
                if (o.write()) {
                    h.write(o.key(), o.version(), o.digest());
                } else {
                    h.read(o.key(), o.version(), o.digest());
                }
            }
            if (t.committed()) {
                h.commit();
            } else {
                h.abort();
            }
        }
        return h;
    }

    SerializabilityChecker.Result check() {
        return SerializabilityChecker.check(history());
    }

    /**
     * Tries every serial order of the committed transactions (pruning an order as soon as a
     * transaction in it cannot run there) on a store of (version, digest) per key: a transaction
     * can run when each of its reads returns exactly the store's current version and digest (reads
     * see the state before the transaction's own writes); its writes then apply in order, each
     * to a version newer than the current one.
     */
    boolean serializableByBruteForce() {
        List<Txn> committed = txns.stream().filter(Txn::committed).toList();
        Map<Long, long[]> state = new HashMap<>();
        initial.forEach((k, v) -> state.put(k, v.clone()));
        return order(committed, new boolean[committed.size()], 0, state);
    }

    private static boolean order(List<Txn> txns, boolean[] used, int placed, Map<Long, long[]> state) {
        if (placed == txns.size()) {
            return true;
        }
        for (int i = 0; i < txns.size(); i++) {
            if (used[i]) {
                continue;
            }
            Txn t = txns.get(i);
            Map<Long, long[]> next = runs(t, state);
            if (next == null) {
                continue;
            }
            used[i] = true;
            boolean ok = order(txns, used, placed + 1, next);
            used[i] = false;
            if (ok) {
                return true;
            }
        }
        return false;
    }

    /** The state after t runs on {@code state}, or null when it cannot run there. */
    private static Map<Long, long[]> runs(Txn t, Map<Long, long[]> state) {
        for (Op o : t.ops()) {
            if (!o.write()) {
                long[] now = state.getOrDefault(o.key(), new long[] {0, History.ABSENT});
                if (now[0] != o.version() || now[1] != o.digest()) {
                    return null;
                }
            }
        }
        Map<Long, long[]> next = new HashMap<>(state);
        for (Op o : t.ops()) {
            if (o.write()) {
                long[] now = next.getOrDefault(o.key(), new long[] {0, History.ABSENT});
                if (o.version() <= now[0]) {
                    return null;
                }
                next.put(o.key(), new long[] {o.version(), o.digest()});
            }
        }
        return next;
    }

    @Override
    public String toString() {
        List<String> init = new ArrayList<>();
        initial.forEach((k, v) -> init.add(k + "@" + v[0] + "," + v[1]));
        return "initial " + init + " " + txns;
    }
}
