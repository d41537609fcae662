package io.dint.txn;

import static io.dint.txn.LoopbackShards.sendPayment;
import static io.dint.txn.LoopbackShards.smallbank;
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
import io.dint.workload.SmallbankWorkload;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The coordinator against three in-process udp shards, some with a planted fault: the commit
 * protocol's phases are resent until answered as the protocol allows, any other answer stops the
 * run naming the request and the reply, and a client restarted under the same id is never taken
 * for its predecessor.
 */
class TxnEngineTest {
    private static final int ACCOUNTS = 200;

    @Test
    void aPhaseIsResentThroughRetriesAndLostRepliesUntilApplied() {
        try (LoopbackShards shards = LoopbackShards.populated(20281, ACCOUNTS)) {
            SmallbankWorkload w = shards.workload();
            CommittedState state = shards.population().state();
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
            LoopbackShards.Run r = shards.run(smallbank(w, 100, 1), 7, 0);
            state.addAll(r.state());
            assertThat(r.stats().get(ClientStats.COMMITTED)).isPositive();
            assertThat(r.stats().get(ClientStats.RETRIES)).as("LOGs answered RETRY, resent").isPositive();
            assertThat(r.stats().get(ClientStats.TIMEOUTS)).as("installs without a reply, resent").isPositive();
            assertThat(r.stats().get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(w.check(shards.checks(), r.ledgerDelta(), new long[6], new long[6])).isEmpty();
            assertThat(state.reconcile(shards.checks())).as("every committed write on every replica").isEmpty();
        }
    }

    /** A server that answers one request of a SendPayment as the protocol does not allow: which, and what the violation says. */
    record Violation(String description, int port, long payer, long payee, int server, int op, long key, int answer,
                     List<String> says) {
        /** Any key of the op. */
        static final long ANY = -1;
        /** Every server. */
        static final int ALL = -1;

        @Override
        public String toString() {
            return description;
        }

        void plant(LoopbackShards shards) {
            for (int i = 0; i < 3; i++) {
                if (server == ALL || server == i) {
                    shards.shard(i).plant((o, k, request) -> o == op && (key == ANY || k == key) ? answer : FaultyShard.SERVE);
                }
            }
        }
    }

    static List<Violation> violations() {
        long payer = Smallbank.checkingKey(3), payee = Smallbank.checkingKey(8);
        return List.of(
            new Violation("an install refused by the primary", 20282, 3, 4, TxnEngine.primary(payer), Op.TXN_COMMIT_PRIMARY, payer,
                    Status.REFUSED, List.of("phase PRIMARY", "txn_commit_primary key 0x" + Long.toHexString(payer), "version 2",
                    "answered REFUSED", "allows only APPLIED or ALREADY_APPLIED")),
            new Violation("a LOG answered NO_SPACE", 20283, 5, 6, 2, Op.TXN_COMMIT_LOG, Violation.ANY, Status.NO_SPACE,
                    List.of("phase LOG", "answered NO_SPACE", "127.0.0.3")),
            new Violation("a release answered NOT_HELD", 20297, 7, 8, TxnEngine.primary(payee), Op.TXN_RELEASE_EXCLUSIVE, payee,
                    Status.NOT_HELD, List.of("phase RELEASE", "answered NOT_HELD")),
            new Violation("a lock answered neither GRANT nor REJECT", 20284, 1, 2, Violation.ALL, Op.TXN_LOCK_EXCLUSIVE,
                    Violation.ANY, Status.OK, List.of("phase EXECUTE", "allows only GRANT or REJECT")));
    }

    /**
     * Every answer the protocol does not allow stops the run with a violation naming the phase,
     * the request and the reply, counted once, and nothing counted committed past it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void anAnswerTheProtocolDoesNotAllowStopsTheRunNamingIt(Violation v) {
        try (LoopbackShards shards = LoopbackShards.populated(v.port(), ACCOUNTS)) {
            v.plant(shards);
            ClientStats stats = new ClientStats();
            assertThatThrownBy(() -> shards.coordinate(stats, sendPayment(v.payer(), v.payee()), 9, c -> c))
                    .isInstanceOf(TxnEngine.ProtocolViolation.class)
                    .satisfies(e -> assertThat(e.getMessage()).contains(v.says()));
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isEqualTo(1);
            assertThat(stats.get(ClientStats.COMMITTED)).as("nothing counted committed past the violation").isZero();
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
        List<String> failures = new ArrayList<>();
        try (LoopbackShards shards = LoopbackShards.populated(20285, ACCOUNTS, 6)) {
            SmallbankWorkload w = shards.workload();
            CommittedState state = shards.population().state();
            History history = new History();
            long ledger = 0;
            long transactions = 0;
            history.addPopulation(shards.population().history()); // the initial versions
            try {
                for (int restart = 0; restart < 62; restart++) {
                    // two long runs, then sixty of three transactions each, one in flight
                    long n = restart < 2 ? 200 : 3;
                    LoopbackShards.Run r = shards.run(smallbank(w, n, 11 + restart), 7, pinned, restart < 2 ? 8 : 1);
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
     * The widest transaction a context holds — 16 accesses, 8 writes: 24 LOG requests, a phase at
     * the request table's bound — in every slot the dedup window allows, through a transport whose
     * batch is smaller than one phase: every request has its own dedup entry, so whatever the
     * loopback drops under this burst is resent and recognised, and everything commits.
     */
    @Test
    void theWidestTransactionsCommitInEverySlotTheDedupWindowAllows() {
        int slots = TxnEngine.MAX_INFLIGHT;
        try (LoopbackShards shards = LoopbackShards.populated(20291, (long) slots * TxnContext.MAX_WRITES)) {
            SmallbankWorkload w = shards.workload();
            CommittedState state = shards.population().state();
            int[] given = new int[slots];
            ClientStats stats = new ClientStats();
            WorkloadTally tally = new WorkloadTally();
            // a transport whose batch (16) is smaller than one phase
            try (Transport transport = new UdpTransport(shards.addrs[0], 16, 256)) {
                new TxnEngine(shards.context(transport, stats, slot -> given[slot]++ < 2 ? new Widest(slot) : null, 8)
                        .inflight(slots).listener(tally).listener(state)).run();
            }
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(2L * slots);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(tally.ledgerDelta()).isEqualTo(2L * slots * TxnContext.MAX_WRITES);
            assertThat(w.check(shards.checks(), tally.ledgerDelta(), new long[6], new long[6])).isEmpty();
            assertThat(state.reconcile(shards.checks())).isEmpty();
        }
    }

    /** Reads for update the checking accounts of slot's 8 accounts, reads their savings, adds a cent to each checking. */
    private record Widest(int slot) implements TxnLogic {
        @Override
        public int step(TxnContext ctx, int round) {
            long first = (long) slot * TxnContext.MAX_WRITES;
            if (round == 0) {
                for (int i = 0; i < TxnContext.MAX_WRITES; i++) {
                    ctx.readForUpdate(Smallbank.checkingKey(first + i));
                }
                for (int i = 0; i < TxnContext.MAX_ACCESSES - TxnContext.MAX_WRITES; i++) {
                    ctx.read(Smallbank.savingsKey(first + i));
                }
                return CONTINUE;
            }
            for (int a = 0; a < TxnContext.MAX_WRITES; a++) {
                ctx.setLong(ctx.update(a), 0, ctx.getLong(a, 0) + 1);
                ctx.ledger(1);
            }
            return COMMIT;
        }

        @Override
        public int type() {
            return 0;
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
