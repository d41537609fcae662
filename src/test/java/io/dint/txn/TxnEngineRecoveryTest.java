package io.dint.txn;

import static io.dint.txn.LoopbackShards.sendPayment;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.check.History;
import io.dint.client.ClientStats;
import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.workload.Smallbank;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
        try (LoopbackShards shards = LoopbackShards.populated(20286, ACCOUNTS)) {
            shards.shard(2).plant((op, key, request) -> op == Op.TXN_COMMIT_LOG ? FaultyShard.DROP : FaultyShard.SERVE);
            UnknownTxns unknown = new UnknownTxns();
            LoopbackShards.Run r = shards.run(sendPayment(3, 4), 9, c -> c.giveUpAfter(300_000_000L).listener(unknown));
            assertThat(r.stats().get(ClientStats.UNKNOWN)).isEqualTo(1);
            assertThat(r.stats().get(ClientStats.COMMITTED)).isZero();
            assertThat(r.stats().get(ClientStats.ABORTED)).isZero();
            assertThat(r.history().transactions() + r.history().abortedAttempts()).as("not recorded as either").isZero();
            CommittedState state = r.state();
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
        try (LoopbackShards shards = LoopbackShards.populated(20287, ACCOUNTS)) {
            long payee = Smallbank.checkingKey(4);
            int primary = TxnEngine.primary(payee);
            AtomicInteger locks = new AtomicInteger();
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
            shards.coordinate(stats, sendPayment(3, 4), 9, c -> c.giveUpAfter(300_000_000L).listener(new UnknownTxns()));
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
        try (LoopbackShards shards = LoopbackShards.populated(20288, ACCOUNTS)) {
            CommittedState state = shards.population().state();
            setEpochs(shards);
            long payer = Smallbank.checkingKey(3);
            int primary = TxnEngine.primary(payer);
            AtomicBoolean moved = new AtomicBoolean();
            shards.shard(primary).plant((op, key, request) -> {
                if (op == Op.TXN_COMMIT_LOG && moved.compareAndSet(false, true)) {
                    shards.store(primary).setEpoch(99); // as a restart or a takeover would
                }
                return FaultyShard.SERVE;
            });
            UnknownTxns unknown = new UnknownTxns();
            LoopbackShards.Run r = shards.run(sendPayment(3, 4), 9, c -> c.giveUpAfter(30_000_000_000L).listener(unknown));
            state.addAll(r.state());
            assertThat(r.stats().get(ClientStats.ABORTED)).isEqualTo(1);
            assertThat(r.stats().get(ClientStats.COMMITTED)).isEqualTo(1);
            assertThat(r.stats().get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(unknown.size()).as("its outcome is known: not committed").isZero();
            assertThat(unknown.abortedAfterLog()).hasSize(1);
            assertThat(r.history().abortedAttempts()).isEqualTo(1);
            assertThat(shards.counters().get(primary).get(Stat.TXN_STALE)).as("both records refused there").isEqualTo(2);
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
        try (LoopbackShards shards = LoopbackShards.populated(20289, ACCOUNTS)) {
            setEpochs(shards);
            int backup = (TxnEngine.primary(Smallbank.checkingKey(3)) + 1) % 3;
            // LOG requests by id: a LOG resent after a timeout is the same request, a LOG made again is a new one
            Set<Long> logs = ConcurrentHashMap.newKeySet();
            shards.shard(backup).plant((op, key, request) -> {
                if (op == Op.TXN_COMMIT_BACKUP) {
                    shards.store(backup).setEpoch(77);
                }
                if (op == Op.TXN_COMMIT_LOG) {
                    logs.add(Header.seq(request));
                }
                return FaultyShard.SERVE;
            });
            ClientStats stats = new ClientStats();
            shards.coordinate(stats, sendPayment(3, 4), 9, c -> c);
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(1);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(logs).as("two records logged, then both again at the backup").hasSize(4);
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
        try (LoopbackShards shards = LoopbackShards.populated(20290, ACCOUNTS)) {
            CommittedState state = shards.population().state();
            setEpochs(shards);
            for (int i = 0; i < 3; i++) {
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
            shards.coordinate(new ClientStats(), sendPayment(3, 4), 9, c -> c, engine -> vanishing[0] = engine);
            assertThat(shards.checks().stream().mapToLong(c -> (Long) c.get("locks_held")).sum()).as("left held").isEqualTo(2);
            ClientStats stats = new ClientStats();
            shards.coordinate(stats, sendPayment(3, 4), 10, c -> c.listener(state).lockLease(300_000_000L));
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(1);
            assertThat(stats.get(ClientStats.ABORTED)).as("rejected while the lease ran").isPositive();
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            long takeovers = shards.counters().stream().mapToLong(c -> c.get(Stat.TXN_LOCK_TAKEOVER)).sum();
            assertThat(takeovers).isEqualTo(2);
            assertThat(shards.checks()).allSatisfy(c -> assertThat(c).containsEntry("locks_held", 0L));
            assertThat(state.reconcile(shards.checks())).isEmpty();
        }
    }

    /** Puts each shard in an epoch of its own (11, 12, 13), as servers that started apart are. */
    private static void setEpochs(LoopbackShards shards) {
        for (int i = 0; i < 3; i++) {
            shards.store(i).setEpoch(11 + i);
        }
    }
}
