package io.dint.txn;

/**
 * What a coordinator tells about each transaction as it ends: for the history
 * ({@link HistoryRecorder}), the committed writes ({@link CommittedState}), the workload's
 * accounting ({@link WorkloadTally}), the transactions of unknown outcome ({@link UnknownTxns}).
 * Called on the coordinator's thread; {@code ctx} is the transaction's context, valid only during
 * the call (the slot's next transaction reuses it). A listener on the load path allocates nothing
 * per call unless recording is its job.
 */
public interface TxnListener {
    /**
     * Committed: {@code ctx} holds its reads (versions and values as the servers returned them) and
     * its writes, installed at the versions the primaries confirmed ({@link TxnContext#confirmed}).
     *
     * @param type the logic's {@link TxnLogic#type()}
     */
    default void committed(long txnId, int type, TxnContext ctx) {}

    /** Rolled back by its logic: {@code ctx} holds what it read and the writes it would have made, none installed. */
    default void rolledBack(long txnId, int type, TxnContext ctx) {}

    /**
     * An attempt aborted (a lock rejected, a validation failed, a shard left the epoch of its
     * grants, a phase before LOG given up); the transaction restarts under a new id. Its would-be
     * writes are in {@code ctx}, none installed.
     */
    default void aborted(long txnId, TxnContext ctx) {}

    /**
     * A replica refused the attempt's LOG (STALE): it never committed, but the other replicas may
     * hold its LOG records. {@link #aborted} follows once its locks are released.
     */
    default void refusedLog(long txnId, TxnContext ctx) {}

    /**
     * Its LOG phase was given up: some replicas may have logged its writes and others not, so it
     * is neither committed nor aborted until someone who can read the logs decides.
     */
    default void unknown(long txnId, TxnContext ctx) {}
}
