package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.RequestIds;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The udp backend's shard, request by request: how installs are answered (applied, already
 * applied, refused, with the record's version), what the dedup window remembers and for whom,
 * the commit log replaying to the records, and what the end-of-run check reports.
 */
class ShardStoreTest {
    private static final int CLIENT = 3;
    private static final long KEY = 0x0200_0000_0000_0007L;

    private final Arena arena = Arena.ofConfined();
    private final ShardStore store = new ShardStore(64, new ShardLog(64));
    private final long[] stats = new long[Stat.MAX];
    private final int incarnation = RequestIds.newIncarnation(0);
    private int counter;

    @AfterEach
    void close() {
        store.close();
        arena.close();
    }

    private MemorySegment request(int op, long key, long txn) {
        MemorySegment b = arena.allocate(TxnMessage.SIZE);
        TxnMessage.encodeRequest(b, op, CLIENT, RequestIds.seq(incarnation, ++counter), key, txn);
        return b;
    }

    private MemorySegment install(int op, long key, long txn, int version, int flags, long word) {
        MemorySegment b = arena.allocate(TxnMessage.SIZE);
        MemorySegment value = arena.allocate(TxnMessage.VALUE_SIZE);
        value.set(JAVA_LONG_UNALIGNED, 0, word);
        TxnMessage.encodeInstall(b, op, CLIENT, RequestIds.seq(incarnation, ++counter), key, txn, version, flags, value, 0);
        return b;
    }

    /** Serves a copy of the request (as a retransmission would arrive) and returns the reply. */
    private MemorySegment serve(MemorySegment request) {
        MemorySegment b = arena.allocate(TxnMessage.SIZE);
        MemorySegment.copy(request, 0, b, 0, TxnMessage.SIZE);
        assertThat(store.serve(b, TxnMessage.SIZE, stats)).isEqualTo(TxnMessage.SIZE);
        return b;
    }

    private int status(MemorySegment request) {
        return Header.status(serve(request));
    }

    private long word(MemorySegment reply) {
        return reply.get(JAVA_LONG_UNALIGNED, Wire.TXN_VALUE);
    }

    @Test
    void anInstallIsAppliedWhenNewerAlreadyAppliedWhenTheSameWriteAndElseRefused() {
        assertThat(status(install(Op.TXN_INSERT_BACKUP, KEY, 1, 1, 0, 10))).isEqualTo(Status.APPLIED);
        MemorySegment commit = install(Op.TXN_COMMIT_BACKUP, KEY, 2, 2, 0, 20);
        assertThat(status(commit)).isEqualTo(Status.APPLIED);
        assertThat(status(commit)).as("a retransmission").isEqualTo(Status.ALREADY_APPLIED);
        assertThat(status(install(Op.TXN_COMMIT_BACKUP, KEY, 3, 2, 0, 21))).as("version 2 with another value").isEqualTo(Status.REFUSED);
        assertThat(status(install(Op.TXN_DELETE_BACKUP, KEY, 3, 2, 0, 0))).as("version 2 deleted").isEqualTo(Status.REFUSED);
        MemorySegment older = serve(install(Op.TXN_COMMIT_BACKUP, KEY, 1, 1, 0, 10));
        assertThat(Header.status(older)).isEqualTo(Status.REFUSED);
        assertThat(TxnMessage.version(older)).as("the record's version").isEqualTo(2);
        MemorySegment read = serve(request(Op.TXN_READ, KEY, 9));
        assertThat(TxnMessage.version(read)).isEqualTo(2);
        assertThat(word(read)).as("nothing refused was written").isEqualTo(20);

        MemorySegment delete = install(Op.TXN_DELETE_PRIMARY, KEY, 4, 3, 0, 0);
        assertThat(status(delete)).isEqualTo(Status.APPLIED);
        assertThat(status(delete)).isEqualTo(Status.ALREADY_APPLIED);
        assertThat(TxnMessage.flags(serve(request(Op.TXN_READ, KEY, 9))) & Wire.TXN_F_EXISTS).isZero();
    }

    @Test
    void anInstallOfVersionZeroIsDropped() {
        MemorySegment b = install(Op.TXN_COMMIT_BACKUP, KEY, 1, 0, 0, 1);
        assertThat(store.serve(b, TxnMessage.SIZE, stats)).isEqualTo(-1);
        assertThat(stats[Stat.DROP_BAD_OP]).isEqualTo(1);
    }

    /**
     * An unlocking install's answer is remembered: once its lock is gone a newer write may follow,
     * and the retransmission still hears APPLIED. A refused one keeps the lock.
     */
    @Test
    void anUnlockingInstallIsAnsweredOnceAndItsRetransmissionAsBefore() {
        assertThat(status(install(Op.TXN_INSERT_PRIMARY, KEY, 1, 1, 0, 10))).isEqualTo(Status.APPLIED);
        assertThat(status(request(Op.TXN_OCC_LOCK, KEY, 5))).isEqualTo(Status.GRANT);
        MemorySegment refused = install(Op.TXN_COMMIT_PRIMARY, KEY, 5, 1, Wire.TXN_F_UNLOCK, 11);
        assertThat(status(refused)).isEqualTo(Status.REFUSED);
        assertThat(status(request(Op.TXN_OCC_LOCK, KEY, 6))).as("a refused install keeps its lock").isEqualTo(Status.REJECT);
        MemorySegment commit = install(Op.TXN_COMMIT_PRIMARY, KEY, 5, 2, Wire.TXN_F_UNLOCK, 20);
        assertThat(status(commit)).isEqualTo(Status.APPLIED);
        assertThat(status(request(Op.TXN_OCC_LOCK, KEY, 6))).isEqualTo(Status.GRANT);
        assertThat(status(install(Op.TXN_COMMIT_PRIMARY, KEY, 6, 3, Wire.TXN_F_UNLOCK, 30))).isEqualTo(Status.APPLIED);
        long duplicates = stats[Stat.DUPLICATE];
        assertThat(status(commit)).as("after a newer write").isEqualTo(Status.APPLIED);
        assertThat(stats[Stat.DUPLICATE]).isEqualTo(duplicates + 1);
        assertThat(store.check().get("locks_held")).isEqualTo(0L);
    }

    /**
     * The dedup window matches the whole request id: a retransmission is answered from it, a
     * restarted client's request with the same client id and counter but a new incarnation is
     * served afresh.
     */
    @Test
    void aRestartedClientsRequestIsNotTakenForItsPredecessors() {
        MemorySegment first = request(Op.TXN_LOCK_EXCLUSIVE, KEY, 5);
        assertThat(status(first)).isEqualTo(Status.GRANT);
        assertThat(status(request(Op.TXN_RELEASE_EXCLUSIVE, KEY, 5))).isEqualTo(Status.OK);
        assertThat(status(first)).as("a retransmission: answered from the window, not locked again — and, the lock being"
                + " released since, no longer a grant").isEqualTo(Status.REJECT);
        assertThat(stats[Stat.DUPLICATE]).isEqualTo(1);
        assertThat(store.check().get("locks_held")).isEqualTo(0L);

        MemorySegment successor = arena.allocate(TxnMessage.SIZE);
        TxnMessage.encodeRequest(successor, Op.TXN_LOCK_EXCLUSIVE, CLIENT,
                RequestIds.seq(RequestIds.newIncarnation(incarnation), 1), KEY, 8);
        assertThat(status(successor)).as("served, not answered from its predecessor's entry").isEqualTo(Status.GRANT);
        assertThat(stats[Stat.DUPLICATE]).isEqualTo(1);
        assertThat(store.check().get("locks_held")).isEqualTo(1L);
    }

    @Test
    void theCommitLogReplaysToTheRecordsUntilAWriteSkipsIt() {
        for (long k = 1; k <= 5; k++) {
            long key = 0x0100_0000_0000_0000L | k;
            assertThat(status(install(Op.TXN_INSERT_LOG, key, 1, 1, 0, k))).isEqualTo(Status.OK);
            assertThat(status(install(Op.TXN_INSERT_BACKUP, key, 1, 1, 0, k))).isEqualTo(Status.APPLIED);
        }
        assertThat(status(install(Op.TXN_DELETE_LOG, 0x0100_0000_0000_0002L, 2, 2, 0, 0))).isEqualTo(Status.OK);
        assertThat(status(install(Op.TXN_DELETE_BACKUP, 0x0100_0000_0000_0002L, 2, 2, 0, 0))).isEqualTo(Status.APPLIED);
        Map<String, Object> check = store.check();
        assertThat(check.get("log_records")).isEqualTo(6L);
        assertThat(check.get("log_digest")).isEqualTo(check.get("digest"));
        assertThat(check.get("log_conflicts")).isEqualTo(0L);

        assertThat(status(install(Op.TXN_COMMIT_LOG, 0x0100_0000_0000_0003L, 3, 2, 0, 33))).isEqualTo(Status.OK);
        assertThat(store.check().get("log_digest")).as("logged, not installed").isNotEqualTo(store.check().get("digest"));
        assertThat(status(install(Op.TXN_COMMIT_BACKUP, 0x0100_0000_0000_0003L, 3, 2, 0, 33))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("log_digest")).isEqualTo(store.check().get("digest"));
        assertThat(status(install(Op.TXN_COMMIT_LOG, 0x0100_0000_0000_0003L, 4, 2, 0, 34))).isEqualTo(Status.OK);
        assertThat(store.check().get("log_conflicts")).as("version 2 logged twice, different values").isEqualTo(1L);
    }

    @Test
    void theCheckCountsRowsLocksAndDigestsPerTable() {
        long savings = 0x0100_0000_0000_0001L, checking = 0x0200_0000_0000_0001L;
        status(install(Op.TXN_INSERT_BACKUP, savings, 1, 1, 0, -5));
        status(install(Op.TXN_INSERT_BACKUP, checking, 1, 1, 0, 7));
        status(request(Op.TXN_LOCK_SHARED, 0x0200_0000_0000_0002L, 4)); // a record made by a lock alone
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
        assertThat(status(install(Op.TXN_INSERT_BACKUP, child, 1, 1, 0, 1))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("orphans")).as("no rule").isEqualTo(0L);
        store.setParentKeys(key -> key == child || key == other ? parent : 0);
        assertThat(store.check().get("orphans")).as("the parent was never written").isEqualTo(1L);
        assertThat(status(install(Op.TXN_INSERT_BACKUP, parent, 2, 1, 0, 2))).isEqualTo(Status.APPLIED);
        assertThat(status(install(Op.TXN_INSERT_BACKUP, other, 2, 1, 0, 3))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("orphans")).isEqualTo(0L);
        assertThat(status(install(Op.TXN_DELETE_BACKUP, parent, 3, 2, 0, 0))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("orphans")).as("the parent deleted under both").isEqualTo(2L);
        assertThat(status(install(Op.TXN_DELETE_BACKUP, child, 4, 2, 0, 0))).isEqualTo(Status.APPLIED);
        assertThat(store.check().get("orphans")).as("a deleted row is no orphan").isEqualTo(1L);
    }
}
