package io.dint.bench;

import io.dint.backend.Backend;
import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.cluster.Host;
import io.dint.lock.LockClient;
import io.dint.lock.LockTrace;
import io.dint.occ.OccClient;
import io.dint.server.ServerHandle;
import io.dint.wire.Wire;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./dint bench lock2pl} and {@code ./dint bench occ}: transactions from the paper's lock
 * trace (5–10 keys, 80% shared, uniform ids) against a lock service. For 2PL the shared keys are
 * locked shared; for OCC they are the read set (read, then validated) and the exclusive keys the
 * write set (locked, then committed).
 */
public final class LockBench implements MicroBench.Workload {
    /** The lock service the trace runs against: its name, and the serve option sizing its table. */
    public enum Protocol {
        LOCK2PL("lock2pl", "--lock-ids"),
        OCC("occ", "--keys");

        final String service;
        final String idsOption;

        Protocol(String service, String idsOption) {
            this.service = service;
            this.idsOption = idsOption;
        }
    }

    private final Protocol protocol;
    private final long lockIds;
    private final int serverThreads;
    private final LockTrace trace;

    public LockBench(Protocol protocol, long lockIds, int traceTransactions, int serverThreads) {
        this.protocol = protocol;
        this.lockIds = lockIds;
        this.serverThreads = serverThreads;
        this.trace = LockTrace.generate(LockTrace.Params.paper(lockIds, traceTransactions, 42));
    }

    @Override
    public String name() {
        return protocol.service;
    }

    @Override
    public Map<String, Object> scale() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("lock_ids", lockIds);
        s.put("shared_fraction", 0.8);
        s.put("locks_per_txn", "5-10");
        s.put("udp_server_threads", serverThreads);
        return s;
    }

    @Override
    public List<String> serveArgs(Backend backend) {
        return List.of("--service", protocol.service, "--backend", backend.id(), protocol.idsOption, Long.toString(lockIds),
                "--threads", Integer.toString(serverThreads));
    }

    @Override
    public LoadLoop client(Transport transport, ClientStats stats, int index, MicroBench.Shape shape, Host server) {
        int offset = index * (trace.transactions() / shape.threads());
        return switch (protocol) {
            case LOCK2PL -> new LockClient(transport, stats, trace, index + 1, server.ipv4(), Wire.PORT, shape.inflight(), offset,
                    MicroBench.clientTimeoutNanos(), 0);
            case OCC -> new OccClient(transport, stats, trace, index + 1, server.ipv4(), Wire.PORT, shape.inflight(), offset,
                    MicroBench.clientTimeoutNanos(), 0);
        };
    }

    @Override
    public MicroBench.KernelLoad kernelLoad(Backend backend) {
        return new MicroBench.KernelLoad(protocol == Protocol.LOCK2PL ? KernelClient.Service.LOCK2PL : KernelClient.Service.OCC,
                kernelTrace(trace));
    }

    /** A lock trace as the kernel client reads it: a trace entry's keys, the exclusive ones (2PL) or write set (OCC) marked. */
    public static KernelClient.Trace kernelTrace(LockTrace t) {
        return new KernelClient.Trace() {
            @Override
            public int length() {
                return t.transactions();
            }

            @Override
            public int keys(int txn) {
                return t.size(txn);
            }

            @Override
            public long key(int txn, int i) {
                return t.lockId(txn, i);
            }

            @Override
            public boolean exclusive(int txn, int i) {
                return t.exclusive(txn, i);
            }
        };
    }

    @Override
    public void check(Backend backend, ServerHandle server, BenchReport report) {
        report.check(backend.id(), server.check(), "all_free", "locks still held after the run");
    }
}
