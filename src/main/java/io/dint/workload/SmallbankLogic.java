package io.dint.workload;

import io.dint.txn.TxnContext;
import io.dint.txn.TxnLogic;

/**
 * The six Smallbank transactions over 2PL ({@link Smallbank}), balances in integer cents at offset 0 of
 * the value. Reads take shared locks, reads for update exclusive ones; one round each, then the
 * decision. One instance per in-flight slot, refilled by {@link #set}.
 */
public final class SmallbankLogic implements TxnLogic {
    private final Smallbank.Txn txn = new Smallbank.Txn();
    private int s1, c1, c2; // access indices

    /** Prepares the next transaction. */
    public SmallbankLogic set(Smallbank.Txn t) {
        txn.type = t.type;
        txn.a1 = t.a1;
        txn.a2 = t.a2;
        return this;
    }

    public Smallbank.Txn txn() {
        return txn;
    }

    @Override
    public int type() {
        return txn.type;
    }

    @Override
    public int step(TxnContext ctx, int round) {
        long a = txn.a1, b = txn.a2;
        if (round == 0) {
            switch (txn.type) {
                case Smallbank.AMALGAMATE -> {
                    s1 = ctx.readForUpdate(Smallbank.savingsKey(a));
                    c1 = ctx.readForUpdate(Smallbank.checkingKey(a));
                    c2 = ctx.readForUpdate(Smallbank.checkingKey(b));
                }
                case Smallbank.BALANCE -> {
                    s1 = ctx.read(Smallbank.savingsKey(a));
                    c1 = ctx.read(Smallbank.checkingKey(a));
                }
                case Smallbank.DEPOSIT_CHECKING -> c1 = ctx.readForUpdate(Smallbank.checkingKey(a));
                case Smallbank.SEND_PAYMENT -> {
                    c1 = ctx.readForUpdate(Smallbank.checkingKey(a));
                    c2 = ctx.readForUpdate(Smallbank.checkingKey(b));
                }
                case Smallbank.TRANSACT_SAVINGS -> s1 = ctx.readForUpdate(Smallbank.savingsKey(a));
                case Smallbank.WRITE_CHECK -> {
                    s1 = ctx.read(Smallbank.savingsKey(a));
                    c1 = ctx.readForUpdate(Smallbank.checkingKey(a));
                }
                default -> throw new IllegalStateException("Smallbank type " + txn.type);
            }
            return CONTINUE;
        }
        switch (txn.type) {
            case Smallbank.AMALGAMATE -> {
                long total = ctx.getLong(s1, 0) + ctx.getLong(c1, 0);
                ctx.setLong(ctx.update(s1), 0, 0);
                ctx.setLong(ctx.update(c1), 0, 0);
                ctx.setLong(ctx.update(c2), 0, ctx.getLong(c2, 0) + total);
            }
            case Smallbank.BALANCE -> { }
            case Smallbank.DEPOSIT_CHECKING -> {
                ctx.setLong(ctx.update(c1), 0, ctx.getLong(c1, 0) + Smallbank.DEPOSIT_CHECKING_CENTS);
                ctx.ledger(Smallbank.DEPOSIT_CHECKING_CENTS);
            }
            case Smallbank.SEND_PAYMENT -> {
                long from = ctx.getLong(c1, 0);
                if (from < Smallbank.SEND_PAYMENT_CENTS) {
                    return ROLLBACK;
                }
                ctx.setLong(ctx.update(c1), 0, from - Smallbank.SEND_PAYMENT_CENTS);
                ctx.setLong(ctx.update(c2), 0, ctx.getLong(c2, 0) + Smallbank.SEND_PAYMENT_CENTS);
            }
            case Smallbank.TRANSACT_SAVINGS -> {
                ctx.setLong(ctx.update(s1), 0, ctx.getLong(s1, 0) + Smallbank.TRANSACT_SAVINGS_CENTS);
                ctx.ledger(Smallbank.TRANSACT_SAVINGS_CENTS);
            }
            case Smallbank.WRITE_CHECK -> {
                long checking = ctx.getLong(c1, 0);
                long amount = ctx.getLong(s1, 0) + checking < Smallbank.WRITE_CHECK_CENTS
                        ? Smallbank.WRITE_CHECK_CENTS + Smallbank.WRITE_CHECK_PENALTY_CENTS : Smallbank.WRITE_CHECK_CENTS;
                ctx.setLong(ctx.update(c1), 0, checking - amount);
                ctx.ledger(-amount);
            }
            default -> throw new IllegalStateException("Smallbank type " + txn.type);
        }
        return COMMIT;
    }

    /** Loads accounts [from, to) through the insert path: savings and checking at the initial balance. */
    public static final class Loader implements TxnLogic {
        private long account;

        public Loader set(long account) {
            this.account = account;
            return this;
        }

        @Override
        public int step(TxnContext ctx, int round) {
            ctx.setLong(ctx.insertBlind(Smallbank.savingsKey(account)), 0, Smallbank.INITIAL_BALANCE_CENTS);
            ctx.setLong(ctx.insertBlind(Smallbank.checkingKey(account)), 0, Smallbank.INITIAL_BALANCE_CENTS);
            return COMMIT;
        }

        @Override
        public int type() {
            return 0;
        }
    }
}
