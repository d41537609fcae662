package io.dint.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.check.History;
import io.dint.check.SerializabilityChecker;
import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.RequestIds;
import io.dint.wire.Status;
import io.dint.workload.Smallbank;
import io.dint.workload.SmallbankLogic;
import io.dint.workload.SmallbankWorkload;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The coordinator against three in-process udp shards, some with a planted fault: the commit
 * protocol's phases are resent until answered as the protocol allows, any other answer stops the
 * run naming the request and the reply, and a client restarted under the same id is never taken
 * for its predecessor.
 */
class TxnEngineTest {
    private static final int ACCOUNTS = 200;

    /** What one coordinator did. */
    private record Run(ClientStats stats, History history, CommittedState state, long ledgerDelta) {}

    /** Runs {@code source} to its end on one coordinator of client {@code clientId}; {@code pinned} != 0 fixes its incarnation. */
    private static Run run(LoopbackShards shards, TxnEngine.Source source, int clientId, int pinned) {
        return run(shards, source, clientId, pinned, 8);
    }

    private static Run run(LoopbackShards shards, TxnEngine.Source source, int clientId, int pinned, int inflight) {
        ClientStats stats = new ClientStats();
        History history = new History();
        CommittedState state = new CommittedState();
        WorkloadTally tally = new WorkloadTally();
        try (Transport transport = new UdpTransport(shards.addrs[0], 64, 256)) {
            TxnEngine engine = new TxnEngine(shards.context(transport, stats, source, clientId).inflight(inflight)
                    .listener(tally).listener(state).listener(new HistoryRecorder(history)));
            if (pinned != 0) {
                engine.pinIncarnation(pinned);
            }
            engine.run();
            return new Run(stats, history, state, tally.ledgerDelta());
        }
    }

    /** A Smallbank source: the population when {@code limit} is 0, else {@code limit} generated transactions. */
    private static TxnEngine.Source smallbank(SmallbankWorkload w, long limit, long seed) {
        return limit == 0 ? w.loader(0, 1, 8) : w.transactions(new SplittableRandom(seed), 8, limit);
    }

    /** One SendPayment of {@code cents}-free kind from account a to b. */
    private static TxnEngine.Source sendPayment(long a, long b) {
        Smallbank.Txn t = new Smallbank.Txn();
        t.type = Smallbank.SEND_PAYMENT;
        t.a1 = a;
        t.a2 = b;
        SmallbankLogic logic = new SmallbankLogic().set(t);
        boolean[] given = {false};
        return slot -> {
            if (given[0]) {
                return null;
            }
            given[0] = true;
            return logic;
        };
    }

    @Test
    void aPhaseIsResentThroughRetriesAndLostRepliesUntilApplied() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20281, w.records())) {
            CommittedState state = new CommittedState();
            state.addAll(run(shards, smallbank(w, 0, 0), 7, 0).state());
            Set<String> seen = Collections.synchronizedSet(new HashSet<>());
            for (int i = 0; i < 3; i++) {
                int server = i;
                // the first LOG of each record is answered RETRY, the first install of it is lost
                shards.shard(i).plant((op, key, request) -> {
                    boolean first = seen.add(server + " " + op + " " + key + " " + Header.seq(request));
                    if (!first) {
                        return FaultyShard.SERVE;
                    }
                    if (op == Op.TXN_COMMIT_LOG) {
                        return Status.RETRY;
                    }
                    return op == Op.TXN_COMMIT_BACKUP || op == Op.TXN_COMMIT_PRIMARY ? FaultyShard.DROP : FaultyShard.SERVE;
                });
            }
            Run r = run(shards, smallbank(w, 100, 1), 7, 0);
            state.addAll(r.state());
            assertThat(r.stats().get(ClientStats.COMMITTED)).isPositive();
            assertThat(r.stats().get(ClientStats.RETRIES)).as("LOGs answered RETRY, resent").isPositive();
            assertThat(r.stats().get(ClientStats.TIMEOUTS)).as("installs without a reply, resent").isPositive();
            assertThat(r.stats().get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(w.check(shards.checks(), r.ledgerDelta(), new long[6], new long[6])).isEmpty();
            assertThat(state.reconcile(shards.checks())).as("every committed write on every replica").isEmpty();
        }
    }

    @Test
    void aRefusedInstallStopsTheRunNamingTheRequestAndTheReply() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20282, w.records())) {
            run(shards, smallbank(w, 0, 0), 7, 0);
            long payer = Smallbank.checkingKey(3);
            int primary = TxnEngine.primary(payer);
            shards.shard(primary).plant((op, key, request) ->
                    op == Op.TXN_COMMIT_PRIMARY && key == payer ? Status.REFUSED : FaultyShard.SERVE);
            ClientStats stats = new ClientStats();
            try (Transport transport = new UdpTransport(shards.addrs[0], 64, 256)) {
                TxnEngine engine = new TxnEngine(shards.context(transport, stats, sendPayment(3, 4), 9));
                assertThatThrownBy(engine::run).isInstanceOf(TxnEngine.ProtocolViolation.class)
                        .hasMessageContaining("phase PRIMARY")
                        .hasMessageContaining("txn_commit_primary key 0x" + Long.toHexString(payer))
                        .hasMessageContaining("version 2")
                        .hasMessageContaining("answered REFUSED")
                        .hasMessageContaining("allows only APPLIED or ALREADY_APPLIED");
            }
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isEqualTo(1);
            assertThat(stats.get(ClientStats.COMMITTED)).as("nothing counted committed past the violation").isZero();
        }
    }

    @Test
    void aLogOrReleaseAnsweredOtherwiseThanOkStopsTheRun() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20283, w.records())) {
            run(shards, smallbank(w, 0, 0), 7, 0);
            shards.shard(2).plant((op, key, request) -> op == Op.TXN_COMMIT_LOG ? Status.NO_SPACE : FaultyShard.SERVE);
            assertThatThrownBy(() -> run(shards, sendPayment(5, 6), 9, 0)).isInstanceOf(TxnEngine.ProtocolViolation.class)
                    .hasMessageContaining("phase LOG").hasMessageContaining("answered NO_SPACE").hasMessageContaining("127.0.0.3");
            shards.shard(2).heal();
            long payee = Smallbank.checkingKey(8);
            shards.shard(TxnEngine.primary(payee)).plant((op, key, request) ->
                    op == Op.TXN_RELEASE_EXCLUSIVE && key == payee ? Status.NOT_HELD : FaultyShard.SERVE);
            assertThatThrownBy(() -> run(shards, sendPayment(7, 8), 9, 0)).isInstanceOf(TxnEngine.ProtocolViolation.class)
                    .hasMessageContaining("phase RELEASE").hasMessageContaining("answered NOT_HELD");
        }
    }

    @Test
    void aLockAnsweredWithoutGrantOrRejectStopsTheRun() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20284, w.records())) {
            run(shards, smallbank(w, 0, 0), 7, 0);
            for (int i = 0; i < 3; i++) {
                shards.shard(i).plant((op, key, request) -> op == Op.TXN_LOCK_EXCLUSIVE ? Status.OK : FaultyShard.SERVE);
            }
            assertThatThrownBy(() -> run(shards, sendPayment(1, 2), 9, 0)).isInstanceOf(TxnEngine.ProtocolViolation.class)
                    .hasMessageContaining("phase EXECUTE").hasMessageContaining("allows only GRANT or REJECT");
        }
    }

    /**
     * A client restarted under the same id counts its requests from 0 again — a long-running
     * coordinator restarted mid-run, then one coordinator per transaction as {@link TxnClient}
     * makes them: fresh incarnations keep the servers' dedup windows from answering a request with
     * a predecessor's answer, so nothing is applied twice, skipped or refused. With the incarnation
     * pinned, as without one, the same runs break.
     */
    @Test
    void aClientRestartedUnderTheSameIdIsNeverTakenForItsPredecessor() {
        assertThat(restartedRuns(0)).as("fresh incarnations").isEmpty();
        assertThat(restartedRuns(0x5eed)).as("one incarnation for all: dedup windows answer a request from a predecessor's")
                .isNotEmpty();
    }

    /** Population, then coordinators of client 7 one after the other; every failure seen. */
    private static List<String> restartedRuns(int pinned) {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        List<String> failures = new ArrayList<>();
        try (LoopbackShards shards = new LoopbackShards(20285, w.records())) {
            CommittedState state = new CommittedState();
            History history = new History();
            long ledger = 0;
            long transactions = 0;
            Run population = run(shards, smallbank(w, 0, 0), 6, 0, 8);
            state.addAll(population.state());
            history.addPopulation(population.history()); // the initial versions
            try {
                for (int restart = 0; restart < 62; restart++) {
                    // two long runs, then sixty of three transactions each, one in flight
                    long n = restart < 2 ? 200 : 3;
                    Run r = run(shards, smallbank(w, n, 11 + restart), 7, pinned, restart < 2 ? 8 : 1);
                    transactions += r.stats().get(ClientStats.COMMITTED) + r.stats().get(ClientStats.ROLLED_BACK);
                    state.addAll(r.state());
                    history.addAll(r.history());
                    ledger += r.ledgerDelta();
                }
            } catch (TxnEngine.ProtocolViolation v) {
                failures.add(v.getMessage());
                return failures;
            }
            assertThat(transactions).isEqualTo(2 * 200 + 60 * 3);
            failures.addAll(w.check(shards.checks(), ledger, new long[6], new long[6]));
            failures.addAll(state.reconcile(shards.checks()));
            SerializabilityChecker.Result serial = SerializabilityChecker.check(history);
            if (!serial.serializable()) {
                failures.add(serial.toString());
            }
        }
        return failures;
    }

    /**
     * A replica that never answers LOG: after the bound the coordinator cannot tell whether the
     * transaction committed (the other replicas logged it); it counts it unknown, keeps what it
     * read and wrote, counts it neither committed nor aborted, and moves on.
     */
    @Test
    void aTransactionGivenUpInLogIsCountedUnknownNeverCommittedOrAborted() {
        SmallbankWorkload w = new SmallbankWorkload(ACCOUNTS);
        try (LoopbackShards shards = new LoopbackShards(20286, w.records())) {
            run(shards, smallbank(w, 0, 0), 7, 0);
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
            run(shards, smallbank(w, 0, 0), 7, 0);
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
            state.addAll(run(shards, smallbank(w, 0, 0), 7, 0).state());
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
            run(shards, smallbank(w, 0, 0), 7, 0);
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
            state.addAll(run(shards, smallbank(w, 0, 0), 7, 0).state());
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

    @Test
    void requestIdsCarryTheIncarnationAboveTheCounter() {
        int a = RequestIds.newIncarnation(0);
        int b = RequestIds.newIncarnation(a);
        assertThat(a).isNotZero().isNotEqualTo(b);
        long seq = RequestIds.seq(a, 0x8000_0001);
        assertThat(RequestIds.incarnationOf(seq)).isEqualTo(a);
        assertThat(seq & 0xffff_ffffL).isEqualTo(0x8000_0001L);
        assertThat(RequestIds.seq(b, 0x8000_0001)).as("the same counter of another incarnation").isNotEqualTo(seq);
    }
}
