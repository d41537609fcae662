package io.dint.txn;

/**
 * A workload's accounting of one coordinator's transactions: commits and rollbacks per
 * transaction type ({@link TxnLogic#type()}) and the net ledger change (cents) the committed ones
 * made ({@link TxnContext#ledger}), for the workload's end-of-run checks. Allocation-free.
 */
public final class WorkloadTally implements TxnListener {
    /** Transaction types a tally counts: {@link TxnLogic#type()} is below it. */
    public static final int MAX_TYPES = 16;

    private final long[] committed = new long[MAX_TYPES];
    private final long[] rolledBack = new long[MAX_TYPES];
    private long ledger;

    @Override
    public void committed(long txnId, int type, TxnContext ctx) {
        committed[type]++;
        ledger += ctx.ledgerDelta;
    }

    @Override
    public void rolledBack(long txnId, int type, TxnContext ctx) {
        rolledBack[type]++;
    }

    /** Net ledger change (cents) of the transactions committed. */
    public long ledgerDelta() {
        return ledger;
    }

    /** Transactions of {@code type} committed. */
    public long committed(int type) {
        return committed[type];
    }

    /** Transactions of {@code type} rolled back by their logic. */
    public long rolledBack(int type) {
        return rolledBack[type];
    }
}
