package io.dint.txn;

import io.dint.check.History;
import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.server.StatCounters;
import io.dint.server.UdpServer;
import io.dint.shard.ShardLog;
import io.dint.shard.ShardStore;
import io.dint.testing.Messages;
import io.dint.wire.Stat;
import io.dint.workload.Smallbank;
import io.dint.workload.SmallbankLogic;
import io.dint.workload.SmallbankWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * Three shard servers of the udp backend in this process, on 127.0.0.1-3, for coordinator tests;
 * each a {@link FaultyShard} that serves normally until a fault is planted in it.
 */
final class LoopbackShards implements AutoCloseable {
    final int[] addrs = {Ipv4.parse("127.0.0.1"), Ipv4.parse("127.0.0.2"), Ipv4.parse("127.0.0.3")};
    final int port;
    private final List<ShardStore> stores = new ArrayList<>();
    private final List<FaultyShard> faults = new ArrayList<>();
    private final List<UdpServer> servers = new ArrayList<>();
    private SmallbankWorkload workload;
    private Run population;

    LoopbackShards(int port, long records) {
        this(port, records, key -> 0);
    }

    /** Shards whose checks count the records without their parent by {@code parentKeys}, as a workload's servers do. */
    LoopbackShards(int port, long records, LongUnaryOperator parentKeys) {
        this.port = port;
        for (int addr : addrs) {
            ShardStore store = new ShardStore(records, new ShardLog(records));
            store.setParentKeys(parentKeys);
            FaultyShard shard = new FaultyShard(store);
            stores.add(store);
            faults.add(shard);
            servers.add(new UdpServer(shard, addr, port, 1));
        }
    }

    /** Three shards on {@code port} holding a Smallbank of {@code accounts} accounts, populated by client 7. */
    static LoopbackShards populated(int port, long accounts) {
        return populated(port, accounts, 7);
    }

    /**
     * Three shards on {@code port} holding a Smallbank of {@code accounts} accounts ({@link #workload}),
     * populated by a coordinator of client {@code clientId} ({@link #population}).
     */
    static LoopbackShards populated(int port, long accounts, int clientId) {
        SmallbankWorkload w = new SmallbankWorkload(accounts);
        LoopbackShards shards = new LoopbackShards(port, w.records());
        try {
            shards.workload = w;
            shards.population = shards.run(smallbank(w, 0, 0), clientId, 0);
            return shards;
        } catch (RuntimeException e) {
            shards.close();
            throw e;
        }
    }

    /** The Smallbank these shards were populated with. */
    SmallbankWorkload workload() {
        return populated().workload;
    }

    /** What the population did: its history and committed writes (the initial versions). */
    Run population() {
        return populated().population;
    }

    private LoopbackShards populated() {
        if (population == null) {
            throw new IllegalStateException("these shards were not populated: make them with LoopbackShards.populated");
        }
        return this;
    }

    TxnDriver.Target target() {
        return new TxnDriver.Target(addrs, port, 50_000_000L, null, t -> new UdpTransport(addrs[0], 64, 256));
    }

    /** The store of server {@code i}. */
    ShardStore store(int i) {
        return stores.get(i);
    }

    /** Server {@code i}, where faults are planted. */
    FaultyShard shard(int i) {
        return faults.get(i);
    }

    /** What one coordinator did: its counters, history, committed writes and ledger change. */
    record Run(ClientStats stats, History history, CommittedState state, long ledgerDelta) {}

    /** Runs {@code source} to its end on one coordinator of client {@code clientId}, 8 in flight; {@code pinned} != 0 fixes its incarnation. */
    Run run(TxnEngine.Source source, int clientId, int pinned) {
        return run(source, clientId, pinned, 8);
    }

    /** The same with {@code inflight} transactions in flight. */
    Run run(TxnEngine.Source source, int clientId, int pinned, int inflight) {
        return run(source, clientId, c -> c.inflight(inflight), engine -> {
            if (pinned != 0) {
                engine.pinIncarnation(pinned);
            }
        });
    }

    /** Runs {@code source} on one coordinator ({@link #coordinate}) and returns what it did. */
    Run run(TxnEngine.Source source, int clientId, UnaryOperator<TxnEngine.Context> settings) {
        return run(source, clientId, settings, engine -> { });
    }

    private Run run(TxnEngine.Source source, int clientId, UnaryOperator<TxnEngine.Context> settings, Consumer<TxnEngine> made) {
        ClientStats stats = new ClientStats();
        History history = new History();
        CommittedState state = new CommittedState();
        WorkloadTally tally = new WorkloadTally();
        coordinate(stats, source, clientId, c -> settings.apply(c.listener(tally).listener(state)
                .listener(new HistoryRecorder(history))), made);
        return new Run(stats, history, state, tally.ledgerDelta());
    }

    /**
     * Runs one coordinator over these shards to the end of {@code source}: 2PL, client
     * {@code clientId}, one transaction in flight, a 20 ms timeout, over a transport of its own,
     * its context completed by {@code settings}; it counts in {@code stats}.
     */
    void coordinate(ClientStats stats, TxnEngine.Source source, int clientId, UnaryOperator<TxnEngine.Context> settings) {
        coordinate(stats, source, clientId, settings, engine -> { });
    }

    /** As above, {@code made} given the coordinator before it runs (to pin its incarnation, or make it vanish later). */
    void coordinate(ClientStats stats, TxnEngine.Source source, int clientId, UnaryOperator<TxnEngine.Context> settings,
                    Consumer<TxnEngine> made) {
        try (Transport transport = target().transport().apply(0)) {
            TxnEngine engine = new TxnEngine(settings.apply(context(transport, stats, source, clientId)));
            made.accept(engine);
            engine.run();
        }
    }

    /** A Smallbank source: the population when {@code limit} is 0, else {@code limit} generated transactions. */
    static TxnEngine.Source smallbank(SmallbankWorkload w, long limit, long seed) {
        return limit == 0 ? w.loader(0, 1, 8) : w.transactions(new SplittableRandom(seed), 8, limit);
    }

    /** One SendPayment from account a to b. */
    static TxnEngine.Source sendPayment(long a, long b) {
        Smallbank.Txn t = new Smallbank.Txn();
        t.type = Smallbank.SEND_PAYMENT;
        t.a1 = a;
        t.a2 = b;
        return once(new SmallbankLogic().set(t));
    }

    /** A source of one transaction. */
    static TxnEngine.Source once(TxnLogic logic) {
        boolean[] given = {false};
        return slot -> {
            if (given[0]) {
                return null;
            }
            given[0] = true;
            return logic;
        };
    }

    /** A 2PL coordinator's context for these shards: client {@code clientId}, one transaction in flight, 20 ms timeout. */
    TxnEngine.Context context(Transport transport, ClientStats stats, TxnEngine.Source source, int clientId) {
        return new TxnEngine.Context().transport(transport).stats(stats).source(source).protocol(TxnEngine.Protocol.TWO_PL)
                .clientId(clientId).servers(addrs).port(port).timeoutNanos(20_000_000L);
    }

    /**
     * Runs {@code logic} once, to its end, on a coordinator of its own (2PL) under {@code clientId};
     * its committed writes go to {@code state} (may be null). Returns what the coordinator counted.
     */
    WorkloadTally runOnce(TxnLogic logic, int clientId, CommittedState state) {
        WorkloadTally tally = new WorkloadTally();
        coordinate(new ClientStats(), once(logic), clientId, c -> state == null ? c.listener(tally) : c.listener(tally).listener(state));
        return tally;
    }

    /**
     * Serves one request at server {@code i} directly, past any planted fault (a fault of its
     * own: a request no coordinator sent), and returns the reply.
     */
    byte[] serve(int i, byte[] request) {
        return Messages.servedBy(stores.get(i), request, new long[Stat.MAX]);
    }

    /** Each server's service counters now, by {@link Stat} index. */
    List<StatCounters> counters() {
        return servers.stream().map(u -> StatCounters.reported(u.stats())).toList();
    }

    /** Each store's end-of-run check. */
    List<Map<String, Object>> checks() {
        return stores.stream().map(ShardStore::check).toList();
    }

    @Override
    public void close() {
        servers.forEach(UdpServer::close);
        stores.forEach(ShardStore::close);
    }
}
