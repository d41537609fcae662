package io.dint.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.check.History;
import io.dint.check.SerializabilityChecker;
import io.dint.client.ClientStats;
import io.dint.workload.Smallbank;
import io.dint.workload.SmallbankWorkload;
import org.junit.jupiter.api.Test;

/**
 * Smallbank on 2PL through the coordinator against three in-process UDP shard servers: population
 * through the insert path, then contended transactions from two client threads; at quiescence the
 * ledger balances, replicas agree, no lock is left and the history is serializable.
 */
class SmallbankLoopbackTest {
    private static final int ACCOUNTS = 2000;

    @Test
    void smallbankCommitsSerializablyAndTheLedgerBalances() throws Exception {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20298, w.records())) {
            TxnDriver.Totals load = TxnDriver.load(w, shards.target(), 2, 16);
            assertThat(load.counter(ClientStats.COMMITTED)).isEqualTo(ACCOUNTS);

            TxnDriver.Totals run = TxnDriver.run(w, shards.target(), 2, 16, 5000, 1, true, true);
            assertThat(run.counter(ClientStats.COMMITTED) + run.counter(ClientStats.ROLLED_BACK)).isEqualTo(10_000);
            assertThat(run.counter(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(run.counter(ClientStats.ABORTED)).as("a small bank is contended: no-wait aborts").isPositive();
            assertThat(run.committed()[Smallbank.DEPOSIT_CHECKING]).isPositive();

            assertThat(w.check(shards.checks(), run.ledgerDelta(), run.committed(), run.rolledBack())).isEmpty();
            History history = load.history();
            assertThat(history.initialVersions()).isEqualTo(2 * ACCOUNTS);
            history.addAll(run.history());
            SerializabilityChecker.Result result = SerializabilityChecker.check(history);
            assertThat(result.serializable()).as("%s", result).isTrue();
            assertThat(result.transactions()).isEqualTo((int) run.counter(ClientStats.COMMITTED));
        }
    }

    @Test
    void theLedgerCheckNoticesAMissingDelta() throws Exception {
        SmallbankWorkload w = new SmallbankWorkload(300);
        try (LoopbackShards shards = new LoopbackShards(20296, w.records())) {
            TxnDriver.load(w, shards.target(), 1, 8);
            TxnDriver.Totals run = TxnDriver.run(w, shards.target(), 1, 8, 1000, 2, false, true);
            assertThat(w.check(shards.checks(), run.ledgerDelta() + 1, run.committed(), run.rolledBack()))
                    .anySatisfy(f -> assertThat(f).contains("ledger total"));
        }
    }
}
