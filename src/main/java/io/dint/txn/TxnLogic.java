package io.dint.txn;

/**
 * The application half of a transaction, run by the coordinator round by round: each call adds
 * the records the next round needs (reads, reads for update) or decides. Implementations keep
 * their parameters in fields and allocate nothing.
 */
public interface TxnLogic {
    /** Another round: the records added in this call are fetched, then {@code step} is called again. */
    int CONTINUE = 0;
    /** Commit the writes made in the context. */
    int COMMIT = 1;
    /** The application gives up (e.g. insufficient funds, a row that is not there): roll back. */
    int ROLLBACK = 2;

    /**
     * @param ctx   the accesses so far; in round 0 empty
     * @param round 0 for the first call
     */
    int step(TxnContext ctx, int round);

    /** Workload-specific type index, for per-type counts. */
    int type();
}
