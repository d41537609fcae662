package io.dint.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.client.UdpTransport;
import io.dint.testing.AllocationCheck;
import io.dint.testing.AllocationProbe;
import io.dint.workload.SmallbankWorkload;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The coordinator allocates nothing per request in the steady state: Smallbank over three
 * loopback shards, aborts and restarts included, with the listeners of a load run that do not
 * record a history (the workload tally, the committed state), and with requests lost (timeouts
 * and resends). A listener that allocates per transaction is seen, and one that allocates once in a
 * hundred transactions.
 */
@AllocationCheck
class TxnAllocationTest {
    @Test
    void theCoordinatorDoesNotAllocatePerRequest() throws Exception {
        SmallbankWorkload w = new SmallbankWorkload(200);
        try (LoopbackShards shards = new LoopbackShards(20292, w.records())) {
            shards.run(LoopbackShards.smallbank(w, 0, 0), 7, 0);
            double[] perRequest = perRequest(shards, w, new WorkloadTally(), new CommittedState());
            assertThat(perRequest[0]).as("coordinator bytes allocated per request").isLessThan(AllocationProbe.NONE);
            assertThat(perRequest[1]).as("shard server bytes allocated per request").isLessThan(AllocationProbe.NONE);
            // one request in 200 lost at the first shard: timeouts, resends and give-ups allocate nothing either
            AtomicLong requests = new AtomicLong();
            shards.shard(0).plant((op, key, request) -> requests.incrementAndGet() % 200 == 0 ? FaultyShard.DROP : FaultyShard.SERVE);
            assertThat(perRequest(shards, w, new WorkloadTally(), new CommittedState())[0])
                    .as("coordinator bytes allocated per request, one in 200 lost").isLessThan(AllocationProbe.NONE);
            shards.shard(0).heal();
            assertThat(perRequest(shards, w, new KeepsARecordPerCommit(1))[0])
                    .as("a listener keeping 144 bytes per commit").isGreaterThan(1.0);
            assertThat(perRequest(shards, w, new KeepsARecordPerCommit(100))[0])
                    .as("a listener keeping 144 bytes per hundred commits").isGreaterThan(AllocationProbe.NONE);
        }
    }

    /** The planted fault: an object per {@code every} transactions, kept so that it escapes (a history recorder's arrays only double). */
    private static final class KeepsARecordPerCommit implements TxnListener {
        private final int every;
        private long commits;
        long[] last;

        KeepsARecordPerCommit(int every) {
            this.every = every;
        }

        @Override
        public void committed(long txnId, int type, TxnContext ctx) {
            if (++commits % every == 0) {
                last = new long[16];
                last[0] = txnId;
            }
        }
    }

    /** [coordinator, a shard server] bytes per request of an unbounded Smallbank run told to {@code listeners}. */
    private static double[] perRequest(LoopbackShards shards, SmallbankWorkload w, TxnListener... listeners) throws Exception {
        ClientStats stats = new ClientStats();
        try (Transport transport = new UdpTransport(shards.addrs[0], 16, 256)) {
            // a short first timeout: a lost request is resent within milliseconds
            TxnEngine.Context ctx = shards.context(transport, stats, w.transactions(new SplittableRandom(1), 8, 0), 8).inflight(8)
                    .timeoutNanos(2_000_000);
            for (TxnListener l : listeners) {
                ctx.listener(l);
            }
            double[] perRequest = AllocationProbe.perRequest(new TxnEngine(ctx), stats, AllocationProbe.thread("udp-server-0"),
                    200_000, 100_000);
            System.out.printf("coordinator: %.5f bytes per request, a shard server: %.5f%n", perRequest[0], perRequest[1]);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(stats.get(ClientStats.COMMITTED)).isPositive();
            return perRequest;
        }
    }
}
