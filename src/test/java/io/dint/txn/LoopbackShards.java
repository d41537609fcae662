package io.dint.txn;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.dint.check.History;
import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.server.UdpServer;
import io.dint.shard.ShardLog;
import io.dint.shard.ShardStore;
import io.dint.wire.Stat;
import io.dint.wire.TxnMessage;
import io.dint.workload.Smallbank;
import io.dint.workload.SmallbankLogic;
import io.dint.workload.SmallbankWorkload;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

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
        ClientStats stats = new ClientStats();
        History history = new History();
        CommittedState state = new CommittedState();
        WorkloadTally tally = new WorkloadTally();
        try (Transport transport = new UdpTransport(addrs[0], 64, 256)) {
            TxnEngine engine = new TxnEngine(context(transport, stats, source, clientId).inflight(inflight)
                    .listener(tally).listener(state).listener(new HistoryRecorder(history)));
            if (pinned != 0) {
                engine.pinIncarnation(pinned);
            }
            engine.run();
            return new Run(stats, history, state, tally.ledgerDelta());
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
        try (Transport transport = target().transport().apply(0)) {
            TxnEngine.Context ctx = context(transport, new ClientStats(), once(logic), clientId).listener(tally);
            if (state != null) {
                ctx.listener(state);
            }
            new TxnEngine(ctx).run();
            return tally;
        }
    }

    /**
     * Serves one request at server {@code i} directly, past any planted fault (a fault of its
     * own: a request no coordinator sent), and returns the reply.
     */
    byte[] serve(int i, byte[] request) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(TxnMessage.SIZE);
            MemorySegment.copy(MemorySegment.ofArray(request), 0, buf, 0, request.length);
            int len = stores.get(i).serve(buf, request.length, new long[Stat.MAX]);
            return len < 0 ? null : buf.asSlice(0, len).toArray(JAVA_BYTE);
        }
    }

    List<Map<String, Object>> stats() {
        return servers.stream().map(UdpServer::stats).toList();
    }

    List<Map<String, Object>> checks() {
        return servers.stream().map(UdpServer::check).toList();
    }

    @Override
    public void close() {
        servers.forEach(UdpServer::close);
    }
}
