package io.dint.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.shard.RecordFile;
import io.dint.txn.CommittedState;
import io.dint.txn.UnknownTxns;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key-by-key reconciliation behind {@code lost_committed}: three replicas and their logs that
 * hold exactly the committed writes pass; each kind of difference — a write missing on a replica,
 * other content at a committed version in a log, a version nobody committed — is a failure, and
 * the first two count their transaction as lost; a log holding a write of a transaction of
 * unknown outcome that did not commit is what the protocol allows.
 */
class ReconciliationTest {
    private static final long A = 0x0100_0000_0000_0001L, B = 0x0100_0000_0000_0002L;
    @TempDir
    Path dir;
    private final Arena arena = Arena.ofAuto();

    private long term(long key, int version, long value) {
        MemorySegment v = arena.allocate(40);
        v.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
        return io.dint.wire.RecordDigest.term(key, version, true, v, 0);
    }

    /** A record file of entries {key, version, value}. */
    private RecordFile.Records records(String name, long[][] entries) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 * entries.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] e : entries) {
            b.putLong(e[0]).putInt((int) e[1]).putInt(1).putLong(term(e[0], (int) e[1], e[2]));
        }
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return RecordFile.read(f);
    }

    private CommittedState committed() {
        CommittedState s = new CommittedState();
        MemorySegment v = arena.allocate(40);
        v.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, 10);
        s.write(A, 1, true, v, 0, 0x11);
        v.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, 20);
        s.write(B, 2, true, v, 0, 0x22);
        return s;
    }

    /** A record file of entries {key, version, value}, in order. */
    private Path file(String name, long[][] entries) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 * entries.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] e : entries) {
            b.putLong(e[0]).putInt((int) e[1]).putInt(1).putLong(term(e[0], (int) e[1], e[2]));
        }
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    /** Three replicas and their logs holding the committed writes, but for {@code which} (0-2 a replica, 3-5 a log), holding {@code changed}. */
    private Reconciliation reconcile(long[][] changed, int which, List<UnknownTxns.Txn> orphans) throws IOException {
        long[][] good = {{A, 1, 10}, {B, 2, 20}};
        long[][] goodLog = {{A, 1, 10}, {B, 1, 15}, {B, 2, 20}};
        List<RecordFile.Records> stores = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stores.add(records("r" + i, i == which ? changed : good));
            logs.add(file("l" + i, i + 3 == which ? changed : goodLog));
        }
        return Reconciliation.of(committed(), stores, logs, orphans);
    }

    @Test
    void replicasAndLogsHoldingTheCommittedWritesPass() throws IOException {
        Reconciliation r = reconcile(null, -1, List.of());
        assertThat(r.failures()).isEmpty();
        assertThat(r.lostCommitted()).isZero();
        assertThat(r.summary()).containsEntry("records_checked", 6L);
    }

    @Test
    void aCommittedWriteMissingOnAReplicaIsALostTransaction() throws IOException {
        Reconciliation r = reconcile(new long[][] {{A, 1, 10}, {B, 1, 20}}, 1, List.of());
        assertThat(r.lostCommitted()).isEqualTo(1);
        assertThat(r.summary()).containsEntry("missing", 1L);
        assertThat(r.failures()).singleElement().asString().contains("missing on replica 1").contains("0x22");
    }

    @Test
    void aCommittedWriteMissingFromALogIsALostTransaction() throws IOException {
        Reconciliation r = reconcile(new long[][] {{A, 1, 99}, {B, 2, 20}}, 4, List.of());
        assertThat(r.lostCommitted()).isEqualTo(1);
        assertThat(r.summary()).containsEntry("missing_from_log", 1L).containsEntry("log_replays_otherwise", 1L);
        assertThat(r.failures()).singleElement().asString().contains("the log of replica 1");
    }

    @Test
    void twoContentsOfOneVersionInALogAreALostUpdate() throws IOException {
        Reconciliation r = reconcile(new long[][] {{A, 1, 10}, {B, 2, 99}, {B, 2, 20}}, 5, List.of());
        assertThat(r.summary()).containsEntry("log_conflicts", 1L);
        assertThat(r.failures()).singleElement().asString().contains("two writes of one version");
    }

    @Test
    void aLogThatReplaysToOtherRecordsThanItsReplicaHoldsFails() throws IOException {
        // a write installed without being logged: the log replays to version 1 of B
        Reconciliation r = reconcile(new long[][] {{A, 1, 10}, {B, 1, 15}}, 3, List.of());
        assertThat(r.summary()).containsEntry("log_replays_otherwise", 1L).containsEntry("missing_from_log", 1L);
        assertThat(r.failures()).hasSize(1);
    }

    @Test
    void aVersionNobodyCommittedIsAFailureButNoLoss() throws IOException {
        Reconciliation r = reconcile(new long[][] {{A, 1, 10}, {B, 3, 30}, {0x0200_0000_0000_0009L, 1, 5}}, 0, List.of());
        assertThat(r.lostCommitted()).isZero();
        assertThat(r.summary()).containsEntry("never_committed", 2L);
        assertThat(r.failures()).hasSize(1);
    }

    @Test
    void aLogHoldingWritesOfAnAttemptThatNeverCommittedIsAllowed() throws IOException {
        // an attempt that logged B at version 2 and aborted (another replica refused its LOG); the retry committed version 2
        UnknownTxns.Txn orphan = new UnknownTxns.Txn(0x33, new long[0], new int[0], new long[0], new long[] {B}, new int[] {2},
                new boolean[] {true}, new long[] {1}, new long[] {term(B, 2, 77)});
        Reconciliation r = reconcile(new long[][] {{A, 1, 10}, {B, 1, 15}, {B, 2, 77}, {B, 2, 20}}, 3, List.of(orphan));
        assertThat(r.failures()).isEmpty();
        assertThat(r.summary()).containsEntry("log_records_of_uncommitted_attempts", 1L);
        // without knowing it never committed, the same log is a lost update
        assertThat(reconcile(new long[][] {{A, 1, 10}, {B, 1, 15}, {B, 2, 77}, {B, 2, 20}}, 3, List.of()).failures()).hasSize(1);
        // an attempt that logged exactly what its retry committed: the same record
        UnknownTxns.Txn same = new UnknownTxns.Txn(0x34, new long[0], new int[0], new long[0], new long[] {B}, new int[] {2},
                new boolean[] {true}, new long[] {1}, new long[] {term(B, 2, 20)});
        assertThat(reconcile(new long[][] {{A, 1, 10}, {B, 1, 15}, {B, 2, 20}}, 3, List.of(same)).failures()).isEmpty();
        // and the same record on a replica (installed) is not allowed
        assertThat(reconcile(new long[][] {{A, 1, 10}, {B, 2, 77}}, 0, List.of(orphan)).failures()).hasSize(1);
    }

    @Test
    void anUnknownTransactionCommittedExactlyWhenEveryReplicaLoggedEveryWrite() throws IOException {
        UnknownTxns.Txn t = new UnknownTxns.Txn(0x33, new long[0], new int[0], new long[0], new long[] {A, B}, new int[] {1, 2},
                new boolean[] {true, true}, new long[] {1, 1}, new long[] {term(A, 1, 10), term(B, 2, 20)});
        java.util.Set<Long> wanted = java.util.Set.of(term(A, 1, 10), term(B, 2, 20));
        java.util.Set<Long> good = Reconciliation.present(file("g", new long[][] {{A, 1, 10}, {B, 2, 20}}), wanted);
        java.util.Set<Long> without = Reconciliation.present(file("w", new long[][] {{A, 1, 10}, {B, 1, 20}}), wanted);
        assertThat(Reconciliation.loggedEverywhere(t, List.of(good, good, good))).isTrue();
        assertThat(Reconciliation.loggedEverywhere(t, List.of(good, without, good))).isFalse();
    }
}
