package io.dint.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.wire.Op;
import io.dint.wire.RequestIds;
import io.dint.wire.Wire;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's request table: its bound per phase follows from what a context holds, every
 * request of every slot has a dedup entry of its own, a reply matches only the unanswered request
 * of the current phase that it names, and timeouts back off per request.
 */
class RequestTableTest {
    @Test
    void aPhaseHoldsWhatTheLargestTransactionSendsAndTheSlotsFillTheDedupWindow() {
        // LOG: every write to every replica; EXECUTE, VALIDATE, RELEASE: one request per access
        assertThat(RequestTable.MAX_REQUESTS).isEqualTo(TxnContext.MAX_WRITES * TxnEngine.REPLICAS)
                .isGreaterThanOrEqualTo(TxnContext.MAX_ACCESSES);
        assertThat(TxnEngine.MAX_INFLIGHT).isEqualTo(RequestTable.MAX_SLOTS).isEqualTo(341);
        assertThat(RequestTable.MAX_SLOTS * RequestTable.MAX_REQUESTS).isLessThanOrEqualTo(Wire.DEDUP_WINDOW);
        assertThat(1 << RequestTable.INDEX_BITS).isEqualTo(Wire.DEDUP_WINDOW);
    }

    @Test
    void everyRequestOfEverySlotHasADedupEntryOfItsOwn() {
        RequestTable table = new RequestTable(RequestTable.MAX_SLOTS);
        Set<Long> entries = new HashSet<>();
        for (int s = 0; s < RequestTable.MAX_SLOTS; s++) {
            table.newPhase(s);
            for (int r = 0; r < RequestTable.MAX_REQUESTS; r++) {
                int q = table.add(s, Op.TXN_COMMIT_LOG, r % 3, r, 1000);
                long seq = table.seq(q);
                assertThat(entries.add(seq & (Wire.DEDUP_WINDOW - 1))).as("slot %d request %d", s, r).isTrue();
                assertThat(table.match(seq)).isEqualTo(q);
            }
        }
        assertThat(entries).hasSize(RequestTable.MAX_SLOTS * RequestTable.MAX_REQUESTS);
    }

    @Test
    void aPhaseRefusesMoreRequestsThanItsBoundAndATableMoreSlotsThanTheWindowHolds() {
        RequestTable table = new RequestTable(1);
        table.newPhase(0);
        for (int r = 0; r < RequestTable.MAX_REQUESTS; r++) {
            table.add(0, Op.TXN_COMMIT_LOG, 0, r, 1000);
        }
        assertThatThrownBy(() -> table.add(0, Op.TXN_COMMIT_LOG, 0, 0, 1000)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at most " + RequestTable.MAX_REQUESTS + " requests");
        assertThatThrownBy(() -> new RequestTable(RequestTable.MAX_SLOTS + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1.." + RequestTable.MAX_SLOTS);
    }

    @Test
    void aReplyMatchesOnlyTheUnansweredRequestOfTheCurrentPhaseItNames() {
        RequestTable table = new RequestTable(2);
        table.pinIncarnation(0x1234);
        table.newPhase(1);
        int q0 = table.add(1, Op.TXN_LOCK_EXCLUSIVE, 0, 0, 1000);
        int q1 = table.add(1, Op.TXN_LOCK_SHARED, 2, 1, 1000);
        long seq = table.seq(q1);
        assertThat(RequestIds.incarnationOf(seq)).isEqualTo(0x1234);
        assertThat(seq & (Wire.DEDUP_WINDOW - 1)).isEqualTo(RequestTable.MAX_REQUESTS + 1);
        assertThat(table.match(seq)).isEqualTo(q1);
        assertThat(table.match(seq + 1)).as("a request the phase did not send").isEqualTo(-1);
        assertThat(table.match(seq ^ 1L << 40)).as("another incarnation").isEqualTo(-1);
        assertThat(table.match(seq - RequestTable.MAX_REQUESTS)).as("slot 0 has no phase").isEqualTo(-1);
        assertThat(table.answered(q1)).isEqualTo(1);
        assertThat(table.match(seq)).as("answered already").isEqualTo(-1);
        table.newPhase(1);
        table.add(1, Op.TXN_RELEASE_EXCLUSIVE, 0, 0, 1000);
        table.add(1, Op.TXN_RELEASE_SHARED, 2, 1, 1000);
        assertThat(table.match(table.seq(q0) - (1L << RequestTable.INDEX_BITS))).as("the phase before").isEqualTo(-1);
        assertThat(table.seq(q1)).as("a fresh id for the new phase").isNotEqualTo(seq);
        table.retire(1);
        assertThat(table.match(table.seq(q0))).as("a retired slot awaits nothing").isEqualTo(-1);
    }

    @Test
    void aSlotThatCountedThroughItsPhasesDrawsANewIncarnation() {
        RequestTable table = new RequestTable(1);
        table.newPhase(0);
        int q = table.add(0, Op.TXN_READ, 0, 0, 1000);
        int first = RequestIds.incarnationOf(table.seq(q));
        for (int p = 1; p < 1 << (32 - RequestTable.INDEX_BITS); p++) {
            table.newPhase(0);
        }
        table.add(0, Op.TXN_READ, 0, 0, 1000);
        assertThat(RequestIds.incarnationOf(table.seq(q))).isNotEqualTo(first);
    }

    @Test
    void aRequestOutLongerThanItsTimeoutIsQueuedAgainWithItsTimeoutDoubled() {
        RtoEstimator timer = new RtoEstimator(20_000_000L);
        RequestTable table = new RequestTable(1);
        table.newPhase(0);
        int q = table.add(0, Op.TXN_COMMIT_LOG, 1, 0, 5_000_000L);
        int answered = table.add(0, Op.TXN_COMMIT_LOG, 2, 0, 5_000_000L);
        assertThat(table.queued(q)).isTrue();
        table.sent(q, 0);
        table.sent(answered, 0);
        table.answered(answered);
        assertThat(table.expire(0, 5_000_000L, timer)).as("not longer than its timeout").isZero();
        assertThat(table.expire(0, 5_000_001L, timer)).as("only the unanswered one").isEqualTo(1);
        assertThat(table.queued(q)).isTrue();
        assertThat(table.resent(q)).isTrue();
        table.sent(q, 10_000_000L);
        assertThat(table.expire(0, 19_000_000L, timer)).as("its timeout is now 10 ms").isZero();
        assertThat(table.expire(0, 20_000_001L, timer)).isEqualTo(1);
        assertThat(table.outstanding(0)).isEqualTo(1);
    }
}
