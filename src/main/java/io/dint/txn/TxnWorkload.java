package io.dint.txn;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A transaction workload as the coordinator runs it: its protocol, the population transactions
 * that load it through the servers' insert path, the generated transactions, and the checks its
 * end state must pass.
 */
public interface TxnWorkload {
    String name();

    TxnEngine.Protocol protocol();

    /** Names of the transaction types, indexed by {@link TxnLogic#type()}. */
    String[] typeNames();

    /** The scale, recorded with every result. */
    Map<String, Object> scale();

    /** Records the servers must hold: the store's capacity. */
    long records();

    /**
     * The key whose record must exist whenever record {@code key} exists (a foreign key, such as
     * TATP's call forwarding and its special facility), 0 when none: the servers count the records
     * whose parent is missing, and {@link #check} fails on any. By default no record has a parent.
     */
    default long parentKey(long key) {
        return 0;
    }

    /**
     * Population transactions for loader thread {@code thread} of {@code threads}; each thread
     * loads its own part. The source returns null when its part is loaded.
     */
    TxnEngine.Source loader(int thread, int threads, int slots);

    /** Generated transactions for one client thread, {@code limit} of them (0: unbounded). */
    TxnEngine.Source transactions(SplittableRandom rnd, int slots, long limit);

    /**
     * Checks the end state: {@code servers} are the three shards' check maps; the other arguments
     * sum over every client engine since population. Returns the failures, empty when all pass.
     */
    List<String> check(List<Map<String, Object>> servers, long ledgerDelta, long[] committed, long[] rolledBack);
}
