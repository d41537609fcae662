package io.dint.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.server.StatCounters;
import io.dint.testing.Messages;
import io.dint.testing.Scenario;
import io.dint.testing.TxnMessages;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The udp backend's shard, request by request: every scenario of the shard's rules as the kernel
 * is held to them ({@link ShardScenarios}: installs applied, already applied or refused; locks;
 * what the dedup window remembers and for whom), what it drops, the commit log replaying to the
 * records, and what the end-of-run check reports.
 */
class ShardStoreTest {
    private final ShardStore store = new ShardStore(64, new ShardLog(64));
    private final long[] stats = new long[Stat.MAX];
    private long seq;

    @AfterEach
    void close() {
        store.close();
    }

    /**
     * Every scenario step by step: each reply, the counters the Java shard keeps as the kernel
     * does moved as the step says ({@link ShardScenarios#COUNTED_BY_BOTH}), and the locks held
     * where the scenario says.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.dint.shard.ShardScenarios#all")
    void scenario(Scenario<ShardScenarios.Step> scenario) {
        ShardScenarios.Client client = new ShardScenarios.Client();
        for (ShardScenarios.Step s : scenario.with(0)) {
            StatCounters before = StatCounters.of(stats);
            byte[] reply = Messages.servedBy(store, client.request(s), stats);
            assertThat(reply).as("%s: answered", s).isNotNull();
            assertThat(TxnMessages.describe(reply)).as("%s: reply", s).isEqualTo(s.reply());
            StatCounters after = StatCounters.of(stats);
            for (int c : ShardScenarios.COUNTED_BY_BOTH) {
                assertThat(after.since(before, c)).as("%s: counter %s moved", s, Stat.name(c))
                        .isEqualTo(Arrays.stream(s.counts()).anyMatch(n -> n == c) ? 1 : 0);
            }
            if (s.locksHeld() >= 0) {
                assertThat(store.check().get("locks_held")).as("%s: locks held", s).isEqualTo(s.locksHeld());
            }
        }
    }

    /** A LOG or install without flags from client 3, the next seq. */
    private byte[] install(int op, long key, long txn, int version, long word) {
        return TxnMessages.install(op, 3, ++seq, key, txn, version, 0, word);
    }

    private int status(byte[] request) {
        return Messages.status(Messages.servedBy(store, request, stats));
    }

    @Test
    void anInstallOfVersionZeroIsDropped() {
        assertThat(Messages.servedBy(store, install(Op.TXN_COMMIT_BACKUP, ShardScenarios.A, 1, 0, 1), stats)).isNull();
        assertThat(stats[Stat.DROP_BAD_OP]).isEqualTo(1);
    }

    @Test
    void theCommitLogReplaysToTheRecordsUntilAWriteSkipsIt() {
        for (long k = 1; k <= 5; k++) {
            long key = 0x0100_0000_0000_0000L | k;
            assertThat(status(install(Op.TXN_INSERT_LOG, key, 1, 1, k))).isEqualTo(Status.OK);
            assertThat(status(install(Op.TXN_INSERT_BACKUP, key, 1, 1, k))).isEqualTo(Status.APPLIED);
        }
        assertThat(status(install(Op.TXN_DELETE_LOG, 0x0100_0000_0000_0002L, 2, 2, 0))).isEqualTo(Status.OK);
        assertThat(status(install(Op.TXN_DELETE_BACKUP, 0x0100_0000_0000_0002L, 2, 2, 0))).isEqualTo(Status.APPLIED);
        Map<String, Object> check = store.check();
        assertThat(check.get("log_records")).isEqualTo(6L);
        assertThat(check.get("log_digest")).isEqualTo(check.get("digest"));
        assertThat(check.get("log_conflicts")).isEqualTo(0L);

        assertThat(status(install(Op.TXN_COMMIT_LOG, 0x0100_0000_0000_0003L, 3, 2, 33))).isEqualTo(Status.OK);
        assertThat(store.check().get("log_digest")).as("logged, not installed").isNotEqualTo(store.check().get("digest"));
        assertThat(status(install(Op.TXN_COMMIT_BACKUP, 0x0100_0000_0000_0003L, 3, 2, 33))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("log_digest")).isEqualTo(store.check().get("digest"));
        assertThat(status(install(Op.TXN_COMMIT_LOG, 0x0100_0000_0000_0003L, 4, 2, 34))).isEqualTo(Status.OK);
        assertThat(store.check().get("log_conflicts")).as("version 2 logged twice, different values").isEqualTo(1L);
    }

    @Test
    void theCheckCountsRowsLocksAndDigestsPerTable() {
        long savings = 0x0100_0000_0000_0001L, checking = 0x0200_0000_0000_0001L;
        status(install(Op.TXN_INSERT_BACKUP, savings, 1, 1, -5));
        status(install(Op.TXN_INSERT_BACKUP, checking, 1, 1, 7));
        status(TxnMessages.request(Op.TXN_LOCK_SHARED, 3, ++seq, 0x0200_0000_0000_0002L, 4)); // a record made by a lock alone
        Map<String, Object> check = store.check();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> tables = (Map<String, Map<String, Object>>) check.get("tables");
        assertThat(tables.get("1")).containsEntry("rows", 1L).containsEntry("sum", -5L).containsEntry("negative", 1L);
        assertThat(tables.get("2")).containsEntry("rows", 1L).containsEntry("sum", 7L).containsEntry("negative", 0L);
        assertThat(check.get("locks_held")).isEqualTo(1L);
        long sum = Long.parseUnsignedLong((String) tables.get("1").get("digest"), 16)
                + Long.parseUnsignedLong((String) tables.get("2").get("digest"), 16);
        assertThat(Long.toHexString(sum)).as("the tables' digests add up to the shard's").isEqualTo(check.get("digest"));
    }

    /**
     * Rows whose parent row is missing, by the workload's rule (TATP's: a call forwarding and its
     * special facility), are counted; without a rule no row has a parent.
     */
    @Test
    void theCheckCountsRowsWhoseParentIsMissing() {
        long parent = 0x0600_0000_0000_0101L, child = 0x0700_0000_0000_0120L, other = 0x0700_0000_0000_0140L;
        assertThat(status(install(Op.TXN_INSERT_BACKUP, child, 1, 1, 1))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("orphans")).as("no rule").isEqualTo(0L);
        store.setParentKeys(key -> key == child || key == other ? parent : 0);
        assertThat(store.check().get("orphans")).as("the parent was never written").isEqualTo(1L);
        assertThat(status(install(Op.TXN_INSERT_BACKUP, parent, 2, 1, 2))).isEqualTo(Status.APPLIED);
        assertThat(status(install(Op.TXN_INSERT_BACKUP, other, 2, 1, 3))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("orphans")).isEqualTo(0L);
        assertThat(status(install(Op.TXN_DELETE_BACKUP, parent, 3, 2, 0))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("orphans")).as("the parent deleted under both").isEqualTo(2L);
        assertThat(status(install(Op.TXN_DELETE_BACKUP, child, 4, 2, 0))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("orphans")).as("a deleted row is no orphan").isEqualTo(1L);
    }
}
