package io.dint.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.check.History;
import io.dint.check.SerializabilityChecker;
import io.dint.client.ClientStats;
import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.server.UdpServer;
import io.dint.shard.ShardLog;
import io.dint.shard.ShardStore;
import io.dint.workload.Smallbank;
import io.dint.workload.SmallbankLogic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Smallbank on 2PL through the coordinator against three in-process UDP shard servers on
 * 127.0.0.1-3: population through the insert path, then contended transactions; at quiescence the
 * ledger balances, replicas agree, no lock is left and the history is serializable.
 */
class SmallbankLoopbackTest {
    private static final int PORT = 20298;
    private static final int ACCOUNTS = 2000;

    @Test
    void smallbankCommitsSerializablyAndTheLedgerBalances() throws Exception {
        int[] addrs = {Ipv4.parse("127.0.0.1"), Ipv4.parse("127.0.0.2"), Ipv4.parse("127.0.0.3")};
        List<UdpServer> servers = new ArrayList<>();
        try {
            for (int addr : addrs) {
                servers.add(new UdpServer(new ShardStore(4 * ACCOUNTS, new ShardLog()), addr, PORT, 1));
            }
            // population
            long[] next = {0};
            SmallbankLogic.Loader[] loaders = new SmallbankLogic.Loader[16];
            for (int i = 0; i < loaders.length; i++) {
                loaders[i] = new SmallbankLogic.Loader();
            }
            ClientStats loadStats = new ClientStats();
            run(addrs, loadStats, 16, slot -> next[0] < ACCOUNTS ? loaders[slot].set(next[0]++) : null, null);
            assertThat(loadStats.get(ClientStats.COMMITTED)).isEqualTo(ACCOUNTS);

            // workload: a small bank is a contended bank
            Smallbank bank = new Smallbank(ACCOUNTS);
            SplittableRandom rnd = new SplittableRandom(1);
            SmallbankLogic[] logic = new SmallbankLogic[16];
            Smallbank.Txn gen = new Smallbank.Txn();
            for (int i = 0; i < logic.length; i++) {
                logic[i] = new SmallbankLogic();
            }
            int[] started = {0};
            History history = new History();
            ClientStats stats = new ClientStats();
            TxnEngine engine = run(addrs, stats, 16, slot -> {
                if (started[0] == 10_000) {
                    return null;
                }
                started[0]++;
                bank.next(rnd, gen);
                return logic[slot].set(gen);
            }, history);

            assertThat(stats.get(ClientStats.COMMITTED) + stats.get(ClientStats.ROLLED_BACK)).isEqualTo(10_000);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(stats.get(ClientStats.ABORTED)).as("contention causes no-wait aborts").isPositive();

            List<Map<String, Object>> checks = servers.stream().map(UdpServer::check).toList();
            long expected = 2L * ACCOUNTS * Smallbank.INITIAL_BALANCE_CENTS + engine.ledgerDelta();
            for (Map<String, Object> c : checks) {
                assertThat(c.get("locks_held")).isEqualTo(0L);
                assertThat(c.get("digest")).as("replicas agree").isEqualTo(checks.getFirst().get("digest"));
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Long>> tables = (Map<String, Map<String, Long>>) c.get("tables");
                long total = tables.get("1").get("sum") + tables.get("2").get("sum");
                assertThat(total).as("ledger").isEqualTo(expected);
                assertThat(tables.get("1").get("negative")).as("savings below zero").isZero();
                assertThat(tables.get("1").get("rows")).isEqualTo(ACCOUNTS);
            }
            SerializabilityChecker.Result result = SerializabilityChecker.check(history);
            assertThat(result.serializable()).as("%s", result).isTrue();
            assertThat(result.transactions()).isEqualTo((int) stats.get(ClientStats.COMMITTED));
        } finally {
            servers.forEach(UdpServer::close);
        }
    }

    private static TxnEngine run(int[] addrs, ClientStats stats, int inflight, TxnEngine.Source source, History history)
            throws InterruptedException {
        TxnEngine[] engine = new TxnEngine[1];
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().start(() -> {
            try (UdpTransport transport = new UdpTransport(Ipv4.parse("127.0.0.1"), 64, 256)) {
                engine[0] = new TxnEngine(transport, stats, source, TxnEngine.Protocol.TWO_PL, 7, addrs, PORT,
                        inflight, 50_000_000L, true, history);
                engine[0].run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.join(110_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(failure[0]).isNull();
        return engine[0];
    }
}
