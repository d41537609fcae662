package io.dint.txn;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import io.dint.workload.Smallbank;
import io.dint.workload.SmallbankLogic;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.Tatp;
import io.dint.workload.TatpWorkload;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every end-of-run check made to fail by the fault it is there to catch, planted in three
 * in-process udp shards after a clean run: replicas that disagree, a lock left held, a
 * call-forwarding row missing on one replica, a row without its special facility, a wrong success
 * rate, a SendPayment lost on both sides (the ledger's total cannot see it; reconciling each
 * account with the committed writes does), a committed write missing from one replica's commit
 * log, and two writes logged with one version. Each run passes every check before its fault.
 */
class EndOfRunChecksTest {
    private static final long TXN = 0x7e57;
    private static final java.util.concurrent.atomic.AtomicLong SEQ = new java.util.concurrent.atomic.AtomicLong();

    /** A small clean run on its own shards: population and transactions, with everything the checks need. */
    private record Clean(TxnWorkload workload, LoopbackShards shards, CommittedState state, TxnDriver.Totals run)
            implements AutoCloseable {
        /** The version of key's record at server i. */
        int version(int i, long key) {
            return EndOfRunChecksTest.version(shards.serve(i, request(Op.TXN_READ, key)));
        }

        @Override
        public void close() {
            shards.close();
        }

        List<String> failures() {
            return failures(run.ledgerDelta(), run.committed(), run.rolledBack());
        }

        List<String> failures(long ledgerDelta, long[] committed, long[] rolledBack) {
            List<String> f = new ArrayList<>(workload.check(shards.checks(), ledgerDelta, committed, rolledBack));
            f.addAll(state.reconcile(shards.checks()));
            return f;
        }
    }

    private static Clean clean(TxnWorkload w, int port, long txns) throws InterruptedException {
        LoopbackShards shards = new LoopbackShards(port, w.records(), w::parentKey);
        try {
            TxnDriver.Totals load = TxnDriver.load(w, shards.target(), 1, 8);
            TxnDriver.Totals run = TxnDriver.run(w, shards.target(), 1, 8, txns, 4, false, true);
            assertThat(run.counter(ClientStats.PROTOCOL_ERRORS)).isZero();
            CommittedState state = new CommittedState();
            state.addAll(load.state());
            state.addAll(run.state());
            Clean c = new Clean(w, shards, state, run);
            assertThat(c.failures()).as("before the fault").isEmpty();
            return c;
        } catch (RuntimeException | Error | InterruptedException e) {
            shards.close();
            throw e;
        }
    }

    /** Smallbank with 200 accounts, 300 transactions. */
    private static Clean smallbank(int port) throws InterruptedException {
        return clean(new SmallbankWorkload(200), port, 300);
    }

    private static byte[] request(int op, long key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(TxnMessage.SIZE);
            TxnMessage.encodeRequest(b, op, 99, SEQ.incrementAndGet(), key, TXN);
            return b.toArray(JAVA_BYTE);
        }
    }

    private static byte[] install(int op, long key, int version, long word) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(TxnMessage.SIZE);
            MemorySegment value = arena.allocate(TxnMessage.VALUE_SIZE);
            value.set(JAVA_LONG_UNALIGNED, 0, word);
            TxnMessage.encodeInstall(b, op, 99, SEQ.incrementAndGet(), key, TXN, version, 0, value, 0);
            return b.toArray(JAVA_BYTE);
        }
    }

    private static int version(byte[] reply) {
        return ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).getInt(Wire.TXN_VERSION);
    }

    private static long word(byte[] reply) {
        return ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).getLong(Wire.TXN_VALUE);
    }

    @Test
    void replicasThatDisagree() throws Exception {
        try (Clean c = smallbank(20271)) {
            LoopbackShards shards = c.shards();
            long key = Smallbank.savingsKey(3);
            // the same balance at a version no other replica has
            int v = c.version(1, key);
            long balance = word(shards.serve(1, request(Op.TXN_READ, key)));
            assertThat(shards.serve(1, install(Op.TXN_COMMIT_BACKUP, key, v + 1, balance))[Wire.HDR_STATUS]).isEqualTo((byte) Status.APPLIED);
            assertThat(c.failures()).anySatisfy(f -> assertThat(f).startsWith("replicas disagree: server 1 digest"));
        }
    }

    @Test
    void aLockLeftHeld() throws Exception {
        try (Clean c = smallbank(20272)) {
            LoopbackShards shards = c.shards();
            assertThat(shards.serve(0, request(Op.TXN_LOCK_EXCLUSIVE, Smallbank.checkingKey(5)))[Wire.HDR_STATUS])
                    .isEqualTo((byte) Status.GRANT);
            assertThat(c.failures()).containsExactly("server 0: 1 records still locked at quiescence");
        }
    }

    /** A SendPayment whose installs and log records all three replicas acknowledged and dropped. */
    @Test
    void aSendPaymentLostOnBothSides() throws Exception {
        try (Clean c = smallbank(20273)) {
            LoopbackShards shards = c.shards();
            long from = Smallbank.checkingKey(6), to = Smallbank.checkingKey(7);
            for (int i = 0; i < 3; i++) {
                shards.shard(i).plant((op, key, request) -> key != from && key != to ? FaultyShard.SERVE
                        : op == Op.TXN_COMMIT_LOG ? Status.OK
                        : op == Op.TXN_COMMIT_BACKUP || op == Op.TXN_COMMIT_PRIMARY ? Status.APPLIED : FaultyShard.SERVE);
            }
            Smallbank.Txn t = new Smallbank.Txn();
            t.type = Smallbank.SEND_PAYMENT;
            t.a1 = 6;
            t.a2 = 7;
            assertThat(shards.runOnce(new SmallbankLogic().set(t), 55, c.state()).committed(Smallbank.SEND_PAYMENT)).isEqualTo(1);
            List<String> failures = c.failures();
            assertThat(failures).as("the ledger's total, the replicas' agreement and their logs see nothing")
                    .noneMatch(f -> f.contains("ledger total") || f.contains("replicas disagree") || f.contains("commit log"));
            assertThat(failures).as("each account reconciled with the committed writes").hasSize(3)
                    .allSatisfy(f -> assertThat(f).contains("table 2 is not what committed transactions wrote"));
        }
    }

    @Test
    void aCommittedWriteMissingFromOneReplicasLog() throws Exception {
        try (Clean c = smallbank(20274)) {
            LoopbackShards shards = c.shards();
            long key = Smallbank.savingsKey(9);
            shards.shard(1).plant((op, k, request) -> op == Op.TXN_COMMIT_LOG && k == key ? Status.OK : FaultyShard.SERVE);
            Smallbank.Txn t = new Smallbank.Txn();
            t.type = Smallbank.TRANSACT_SAVINGS;
            t.a1 = 9;
            long ledger = shards.runOnce(new SmallbankLogic().set(t), 55, c.state()).ledgerDelta();
            assertThat(c.failures(c.run().ledgerDelta() + ledger, c.run().committed(), c.run().rolledBack()))
                    .singleElement().asString().startsWith("server 1: its commit log replays to other records than it holds");
        }
    }

    @Test
    void twoWritesLoggedWithOneVersion() throws Exception {
        try (Clean c = smallbank(20275)) {
            LoopbackShards shards = c.shards();
            long key = Smallbank.checkingKey(11);
            shards.serve(2, install(Op.TXN_COMMIT_LOG, key, c.version(2, key), 12345));
            assertThat(c.failures()).anySatisfy(f -> assertThat(f).isEqualTo("server 2: 1 commit-log records name a version "
                    + "logged before with other contents: two writes of one version (a lost update)"));
        }
    }

    @Test
    void tatpRowsMissingOnOneReplicaAndAWrongSuccessRate() throws Exception {
        TatpWorkload w = new TatpWorkload(200, 3);
        try (Clean c = clean(w, 20276, 2000)) {
            LoopbackShards shards = c.shards();
            long cf = 0;
            int cfVersion = 0;
            for (long s = 1; cf == 0; s++) {
                for (int type = 1; type <= 4 && cf == 0; type++) {
                    byte[] r = shards.serve(2, request(Op.TXN_READ, Tatp.callForwardingKey(s, type, 0)));
                    if ((r[Wire.TXN_FLAGS] & Wire.TXN_F_EXISTS) != 0) {
                        cf = Tatp.callForwardingKey(s, type, 0);
                        cfVersion = version(r);
                    }
                }
            }
            long expected = w.initialCallForwarding() + c.run().committed()[Tatp.INSERT_CALL_FORWARDING]
                    - c.run().committed()[Tatp.DELETE_CALL_FORWARDING];
            assertThat(shards.serve(2, install(Op.TXN_DELETE_BACKUP, cf, cfVersion + 1, 0))[Wire.HDR_STATUS]).isEqualTo((byte) Status.APPLIED);
            assertThat(c.failures()).contains("server 2: " + (expected - 1) + " CALL_FORWARDING rows, expected " + expected
                    + " (initial + committed inserts - committed deletes)");

            long sf = 0;
            for (long s = 1; sf == 0; s++) {
                for (int type = 1; type <= 4 && sf == 0; type++) {
                    byte[] r = shards.serve(0, request(Op.TXN_READ, Tatp.callForwardingKey(s, type, 8)));
                    if ((r[Wire.TXN_FLAGS] & Wire.TXN_F_EXISTS) != 0) {
                        sf = Tatp.specialFacilityKey(s, type);
                    }
                }
            }
            shards.serve(0, install(Op.TXN_DELETE_BACKUP, sf, c.version(0, sf) + 1, 0));
            assertThat(c.failures()).anySatisfy(f -> assertThat(f).matches(
                    "server 0: [1-9]\\d* CALL_FORWARDING rows without their SPECIAL_FACILITY row"));

            long[] committed = c.run().committed().clone();
            long[] rolledBack = c.run().rolledBack().clone();
            committed[Tatp.GET_ACCESS_DATA] += rolledBack[Tatp.GET_ACCESS_DATA]; // every one found its row
            rolledBack[Tatp.GET_ACCESS_DATA] = 0;
            assertThat(c.failures(0, committed, rolledBack)).anySatisfy(f -> assertThat(f)
                    .matches("get_access_data succeeded 100\\.0% of \\d+, expected 62\\.5% \\+- \\d+\\.\\d"));
        }
    }
}
