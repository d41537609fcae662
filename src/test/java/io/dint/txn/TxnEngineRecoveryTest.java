package io.dint.txn;

import static io.dint.txn.LoopbackShards.sendPayment;
import static io.dint.txn.LoopbackShards.smallbank;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.check.History;
import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.workload.Smallbank;
import io.dint.workload.SmallbankWorkload;
import org.junit.jupiter.api.Test;

/**
 * The coordinator when shards stop answering, restart or take locks over, against three
 * in-process udp shards with planted faults: a phase given up before LOG aborts and releases what
 * it may hold, one given up in LOG is of unknown outcome, a shard that left the epoch of the
 * grants refuses the LOG, one that left the epoch of its LOG acknowledgement is logged again, and
 * the locks of a vanished coordinator are taken over once their lease runs out.
 */
class TxnEngineRecoveryTest {
    private static final int ACCOUNTS = 200;

    /**
     * A replica that never answers LOG: after the bound the coordinator cannot tell whether the
     * transaction committed (the other replicas logged it); it counts it unknown, keeps what it
     * read and wrote, counts it neither committed nor aborted, and moves on.
     */
    @Test
    void aTransactionGivenUpInLogIsCountedUnknownNeverCommittedOrAborted() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20286, w.records())) {
            shards.run(smallbank(w, 0, 0), 7, 0);
            shards.shard(2).plant((op, key, request) -> op == Op.TXN_COMMIT_LOG ? FaultyShard.DROP : FaultyShard.SERVE);
            ClientStats stats = new ClientStats();
            UnknownTxns unknown = new UnknownTxns();
            History history = new History();
            CommittedState state = new CommittedState();
            try (Transport transport = new UdpTransport(shards.addrs[0], 64, 256)) {
                TxnEngine engine = new TxnEngine(shards.context(transport, stats, sendPayment(3, 4), 9)
                        .listener(state).listener(new HistoryRecorder(history)).giveUpAfter(300_000_000L).listener(unknown));
                engine.run();
            }
            assertThat(stats.get(ClientStats.UNKNOWN)).isEqualTo(1);
            assertThat(stats.get(ClientStats.COMMITTED)).isZero();
            assertThat(stats.get(ClientStats.ABORTED)).isZero();
            assertThat(history.transactions() + history.abortedAttempts()).as("not recorded as either").isZero();
            assertThat(state.keys()).isZero();
            assertThat(unknown.size()).isEqualTo(1);
            UnknownTxns.Txn t = unknown.txns().getFirst();
            assertThat(t.writes()).isEqualTo(2);
            assertThat(t.writeKeys()).containsExactlyInAnyOrder(Smallbank.checkingKey(3), Smallbank.checkingKey(4));
            assertThat(t.writeVersions()).containsOnly(2);
            // resolved either way it lands in the history as such
            History h = new History();
            UnknownTxns.resolve(t, false, h, null);
            assertThat(h.abortedAttempts()).isEqualTo(1);
            UnknownTxns.resolve(t, true, h, state);
            assertThat(h.transactions()).isEqualTo(1);
            assertThat(state.version(Smallbank.checkingKey(3))).isEqualTo(2);
        }
    }

    /**
     * A primary that never answers a lock: after the bound the attempt is aborted (nothing was
     * logged) and what it may hold is released — an exclusive lock whose grant was lost included,
     * whose release may then be answered NOT_HELD — and no lock is left once the server answers again.
     */
    @Test
    void anAttemptGivenUpBeforeLogAbortsAndReleasesWhatItMayHold() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20287, w.records())) {
            shards.run(smallbank(w, 0, 0), 7, 0);
            long payee = Smallbank.checkingKey(4);
            int primary = TxnEngine.primary(payee);
            java.util.concurrent.atomic.AtomicInteger locks = new java.util.concurrent.atomic.AtomicInteger();
            ClientStats stats = new ClientStats();
            // the payee's lock is granted but its reply lost; the primary answers no lock of it
            // again until the coordinator has given the attempt up
            shards.shard(primary).plant((op, key, request) -> {
                if (op != Op.TXN_LOCK_EXCLUSIVE || key != payee) {
                    return FaultyShard.SERVE;
                }
                if (locks.getAndIncrement() == 0) {
                    return FaultyShard.SERVE_AND_DROP_REPLY;
                }
                return stats.get(ClientStats.GAVE_UP) == 0 ? FaultyShard.DROP : FaultyShard.SERVE;
            });
            try (Transport transport = new UdpTransport(shards.addrs[0], 64, 256)) {
                new TxnEngine(shards.context(transport, stats, sendPayment(3, 4), 9).giveUpAfter(300_000_000L)
                        .listener(new UnknownTxns())).run();
            }
            assertThat(stats.get(ClientStats.GAVE_UP)).isEqualTo(1);
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(1);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(shards.checks()).allSatisfy(c -> assertThat(c).containsEntry("locks_held", 0L));
        }
    }

    /**
     * A shard that leaves the epoch of a transaction's grants (a restart, or a lease taken over)
     * just before the transaction's LOG reaches it refuses the LOG: the attempt aborts, never
     * committed, with what the other replicas logged of it kept as such; the transaction
     * restarts and commits in the new epoch, and every replica holds what committed.
     */
    @Test
    void aShardThatLeftTheEpochOfTheGrantsRefusesTheLogAndTheAttemptAborts() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20288, w.records())) {
            CommittedState state = new CommittedState();
            state.addAll(shards.run(smallbank(w, 0, 0), 7, 0).state());
            for (int i = 0; i < 3; i++) {
                shards.store(i).setEpoch(11 + i);
            }
            long payer = Smallbank.checkingKey(3);
            int primary = TxnEngine.primary(payer);
            java.util.concurrent.atomic.AtomicBoolean moved = new java.util.concurrent.atomic.AtomicBoolean();
            shards.shard(primary).plant((op, key, request) -> {
                if (op == Op.TXN_COMMIT_LOG && moved.compareAndSet(false, true)) {
                    shards.store(primary).setEpoch(99); // as a restart or a takeover would
                }
                return FaultyShard.SERVE;
            });
            ClientStats stats = new ClientStats();
            UnknownTxns unknown = new UnknownTxns();
            History history = new History();
            try (Transport transport = new UdpTransport(shards.addrs[0], 64, 256)) {
                new TxnEngine(shards.context(transport, stats, sendPayment(3, 4), 9).listener(state)
                        .listener(new HistoryRecorder(history)).giveUpAfter(30_000_000_000L).listener(unknown)).run();
            }
            assertThat(stats.get(ClientStats.ABORTED)).isEqualTo(1);
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(1);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(unknown.size()).as("its outcome is known: not committed").isZero();
            assertThat(unknown.abortedAfterLog()).hasSize(1);
            assertThat(history.abortedAttempts()).isEqualTo(1);
            assertThat(shards.stats().get(primary)).as("both records refused there").containsEntry("txn_stale", 2L);
            assertThat(state.reconcile(shards.checks())).isEmpty();
            assertThat(shards.checks()).allSatisfy(c -> assertThat(c).containsEntry("locks_held", 0L));
        }
    }

    /**
     * A backup that leaves the epoch in which it acknowledged a committed transaction's LOG (a
     * restart may have lost the records with its rings) is sent the records again before the
     * transaction ends.
     */
    @Test
    void aReplicaThatLeftTheEpochOfItsLogAcknowledgementIsLoggedAgain() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20289, w.records())) {
            shards.run(smallbank(w, 0, 0), 7, 0);
            for (int i = 0; i < 3; i++) {
                shards.store(i).setEpoch(11 + i);
            }
            int backup = (TxnEngine.primary(Smallbank.checkingKey(3)) + 1) % 3;
            java.util.concurrent.atomic.AtomicInteger logs = new java.util.concurrent.atomic.AtomicInteger();
            shards.shard(backup).plant((op, key, request) -> {
                if (op == Op.TXN_COMMIT_BACKUP) {
                    shards.store(backup).setEpoch(77);
                }
                if (op == Op.TXN_COMMIT_LOG) {
                    logs.incrementAndGet();
                }
                return FaultyShard.SERVE;
            });
            ClientStats stats = new ClientStats();
            try (Transport transport = new UdpTransport(shards.addrs[0], 64, 256)) {
                new TxnEngine(shards.context(transport, stats, sendPayment(3, 4), 9)).run();
            }
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(1);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(logs.get()).as("two records logged, then both again at the backup").isEqualTo(4);
        }
    }

    /**
     * A coordinator that vanishes holding locks, before any replica logged its transaction: the
     * next transaction on those records is rejected while the locks' lease runs, then takes them
     * over and commits; nothing is left locked, every replica holds what committed, and the
     * vanished transaction is not committed anywhere.
     */
    @Test
    void theLocksOfAVanishedCoordinatorAreTakenOverOnceTheirLeaseRunsOut() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20290, w.records())) {
            CommittedState state = new CommittedState();
            state.addAll(shards.run(smallbank(w, 0, 0), 7, 0).state());
            for (int i = 0; i < 3; i++) {
                shards.store(i).setEpoch(11 + i);
                shards.store(i).setLockLease(300);
            }
            TxnEngine[] vanishing = new TxnEngine[1];
            for (int i = 0; i < 3; i++) {
                // the vanishing coordinator's LOG never arrives: it dies holding its locks, unlogged
                shards.shard(i).plant((op, key, request) -> {
                    if (op == Op.TXN_COMMIT_LOG && Header.clientId(request) == 9) {
                        vanishing[0].vanish();
                        return FaultyShard.DROP;
                    }
                    return FaultyShard.SERVE;
                });
            }
            try (Transport transport = new UdpTransport(shards.addrs[0], 64, 256)) {
                vanishing[0] = new TxnEngine(shards.context(transport, new ClientStats(), sendPayment(3, 4), 9));
                vanishing[0].run();
            }
            assertThat(shards.checks().stream().mapToLong(c -> (Long) c.get("locks_held")).sum()).as("left held").isEqualTo(2);
            ClientStats stats = new ClientStats();
            try (Transport transport = new UdpTransport(shards.addrs[0], 64, 256)) {
                new TxnEngine(shards.context(transport, stats, sendPayment(3, 4), 10).listener(state).lockLease(300_000_000L)).run();
            }
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(1);
            assertThat(stats.get(ClientStats.ABORTED)).as("rejected while the lease ran").isPositive();
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            long takeovers = shards.stats().stream().mapToLong(m -> (Long) m.get("txn_lock_takeover")).sum();
            assertThat(takeovers).isEqualTo(2);
            assertThat(shards.checks()).allSatisfy(c -> assertThat(c).containsEntry("locks_held", 0L));
            assertThat(state.reconcile(shards.checks())).isEmpty();
        }
    }
}
