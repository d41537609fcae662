package io.dint.workload;

import java.util.SplittableRandom;

/**
 * The Smallbank workload of the DINT paper: savings and checking accounts, balances in integer cents,
 * the paper's mix, and 90% of transactions drawing their accounts from a hot set of 4% of them.
 * {@link #next} fills a reusable {@link Txn}, so generating allocates nothing.
 */
public final class Smallbank {
    public static final int AMALGAMATE = 0, BALANCE = 1, DEPOSIT_CHECKING = 2, SEND_PAYMENT = 3,
            TRANSACT_SAVINGS = 4, WRITE_CHECK = 5;
    public static final String[] NAMES = {"amalgamate", "balance", "deposit_checking", "send_payment",
        "transact_savings", "write_check"};
    public static final Mix MIX = new Mix(15, 15, 15, 25, 15, 15);

    /** Amounts in cents. */
    public static final long DEPOSIT_CHECKING_CENTS = 130, SEND_PAYMENT_CENTS = 500,
            TRANSACT_SAVINGS_CENTS = 2020, WRITE_CHECK_CENTS = 500, WRITE_CHECK_PENALTY_CENTS = 100;
    /** Initial balance of every savings and checking account, in cents. */
    public static final long INITIAL_BALANCE_CENTS = 10_000_00;

    public static final double HOT_FRACTION = 0.04;
    public static final double HOT_PROBABILITY = 0.9;

    /** Table tags in the top byte of a key. */
    public static final long SAVINGS = 1L << 56, CHECKING = 2L << 56;

    private final long accounts;
    private final long hot;

    public Smallbank(long accounts) {
        if (accounts < 2) {
            throw new IllegalArgumentException("Smallbank needs at least 2 accounts, got " + accounts);
        }
        if (accounts >= 1L << 48) {
            throw new IllegalArgumentException("at most 2^48 accounts, got " + accounts);
        }
        this.accounts = accounts;
        this.hot = Math.max(2, Math.round(accounts * HOT_FRACTION));
    }

    public long accounts() {
        return accounts;
    }

    public long hotAccounts() {
        return hot;
    }

    public static long savingsKey(long account) {
        return SAVINGS | account;
    }

    public static long checkingKey(long account) {
        return CHECKING | account;
    }

    /** One generated transaction: its type and accounts (a1 != a2 where two are used). */
    public static final class Txn {
        public int type;
        public long a1;
        public long a2;
    }

    public void next(SplittableRandom rnd, Txn t) {
        t.type = MIX.next(rnd);
        boolean fromHot = rnd.nextDouble() < HOT_PROBABILITY;
        long range = fromHot ? hot : accounts;
        t.a1 = rnd.nextLong(range);
        if (t.type == AMALGAMATE || t.type == SEND_PAYMENT) {
            long b;
            do {
                b = rnd.nextLong(range);
            } while (b == t.a1);
            t.a2 = b;
        } else {
            t.a2 = -1;
        }
    }
}
