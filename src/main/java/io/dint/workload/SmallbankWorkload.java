package io.dint.workload;

import io.dint.txn.TxnEngine;
import io.dint.txn.TxnWorkload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Smallbank on 2PL as a {@link TxnWorkload}: population, generated transactions, ledger checks. */
public final class SmallbankWorkload implements TxnWorkload {
    private final Smallbank bank;

    public SmallbankWorkload(long accounts) {
        this.bank = new Smallbank(accounts);
    }

    @Override
    public String name() {
        return "smallbank";
    }

    @Override
    public TxnEngine.Protocol protocol() {
        return TxnEngine.Protocol.TWO_PL;
    }

    @Override
    public String[] typeNames() {
        return Smallbank.NAMES;
    }

    @Override
    public Map<String, Object> scale() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accounts", bank.accounts());
        m.put("hot_accounts", bank.hotAccounts());
        m.put("paper_accounts", 24_000_000);
        return m;
    }

    @Override
    public long records() {
        return 2 * bank.accounts();
    }

    @Override
    public TxnEngine.Source loader(int thread, int threads, int slots) {
        SmallbankLogic.Loader[] logic = new SmallbankLogic.Loader[slots];
        for (int i = 0; i < slots; i++) {
            logic[i] = new SmallbankLogic.Loader();
        }
        long[] next = {thread};
        return slot -> {
            if (next[0] >= bank.accounts()) {
                return null;
            }
            long a = next[0];
            next[0] += threads;
            return logic[slot].set(a);
        };
    }

    @Override
    public TxnEngine.Source transactions(SplittableRandom rnd, int slots, long limit) {
        SmallbankLogic[] logic = new SmallbankLogic[slots];
        for (int i = 0; i < slots; i++) {
            logic[i] = new SmallbankLogic();
        }
        Smallbank.Txn gen = new Smallbank.Txn();
        return LimitedSource.of(limit, slot -> {
            bank.next(rnd, gen);
            return logic[slot].set(gen);
        });
    }

    @Override
    public List<String> check(List<Map<String, Object>> servers, long ledgerDelta, long[] committed, long[] rolledBack) {
        List<String> failures = new ArrayList<>();
        long expected = 2 * bank.accounts() * Smallbank.INITIAL_BALANCE_CENTS + ledgerDelta;
        for (int i = 0; i < servers.size(); i++) {
            Map<String, Object> c = servers.get(i);
            long savings = ReplicaCheck.tableValue(c, Smallbank.SAVINGS, "sum");
            long checking = ReplicaCheck.tableValue(c, Smallbank.CHECKING, "sum");
            if (savings + checking != expected) {
                failures.add("server " + i + ": ledger total " + (savings + checking) + " cents, expected "
                        + expected + " (initial + committed deltas)");
            }
            long negative = ReplicaCheck.tableValue(c, Smallbank.SAVINGS, "negative");
            if (negative != 0) {
                failures.add("server " + i + ": " + negative + " savings accounts below zero");
            }
            for (long tag : new long[] {Smallbank.SAVINGS, Smallbank.CHECKING}) {
                if (ReplicaCheck.tableValue(c, tag, "rows") != bank.accounts()) {
                    failures.add("server " + i + ": " + ReplicaCheck.tableValue(c, tag, "rows") + " rows in table " + (tag >>> 56)
                            + ", expected " + bank.accounts());
                }
            }
        }
        failures.addAll(ReplicaCheck.compare(servers));
        return failures;
    }
}
