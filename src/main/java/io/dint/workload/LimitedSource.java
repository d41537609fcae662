package io.dint.workload;

import io.dint.txn.TxnEngine;
import io.dint.txn.TxnWorkload;

/**
 * The limit {@link TxnWorkload#transactions} promises: a source that ends (returns null) after
 * {@code limit} transactions, 0 meaning never, each drawn from another source.
 */
final class LimitedSource {
    private LimitedSource() {}

    /** At most {@code limit} transactions of {@code draw} (0: unbounded). */
    static TxnEngine.Source of(long limit, TxnEngine.Source draw) {
        long[] started = {0};
        return slot -> {
            if (limit > 0 && started[0] == limit) {
                return null;
            }
            started[0]++;
            return draw.next(slot);
        };
    }
}
