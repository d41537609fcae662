package io.dint.kv;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.dint.testing.AllocationCheck;
import io.dint.testing.AllocationProbe;
import io.dint.testing.Allocations;
import io.dint.testing.KvMessages;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The KV hot paths allocate nothing per request: the load client and the udp backend's serve
 * loop over loopback (steady state, {@link Allocations}), and the XDP backend's slow path
 * (the least of several runs after a warm-up: the JIT may still be compiling on a busy machine).
 */
@AllocationCheck
class KvAllocationTest {
    private static final int PORT = 20298;
    private static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void clientAndUdpServerLoopsDoNotAllocatePerRequest() throws Exception {
        KvDataSet data = new KvDataSet(5_000, KvDataSet.Population.ALL, 1);
        KvTrace trace = KvTrace.generate(5_000, 0.8, 100_000, 2);
        Allocations.assertNonePerRequest(new KvService(data.load(1.5)), PORT,
                (transport, stats, addr, port, requests) -> new KvClient(transport, stats, trace, 1, addr, port, 16, 0, 50_000_000L,
                        requests), 100_000, 100_000);
    }

    @Test
    void theSlowPathDoesNotAllocatePerRequest() {
        KvDataSet data = new KvDataSet(2_000, KvDataSet.Population.ALL, 1);
        try (KvSlowPath slow = new KvSlowPath(data.load(0.5), 0); Arena arena = Arena.ofConfined()) {
            KvStore probe = new KvStore(KvStore.bucketsFor(data.count(), 0.5));
            int n = 4096;
            MemorySegment requests = arena.allocate((long) n * KvMessage.SLOW_SIZE);
            long[] keys = new long[n];
            int[] i = {0};
            data.forEachKey(key -> {
                if (i[0] < n) {
                    keys[i[0]++] = key;
                }
            });
            for (int r = 0; r < n; r++) {
                byte[] msg = KvMessages.request(r % 4 == 0 ? Op.KV_SET : Op.KV_GET, keys[r], KvMessages.value(keys[r], r), r);
                ByteBuffer b = ByteBuffer.allocate(KvMessage.SLOW_SIZE).order(ByteOrder.LITTLE_ENDIAN).put(msg);
                b.putInt(KvMessage.SIZE + Wire.KV_SLOW_BUCKET, probe.bucketOf(keys[r]));
                b.put(KvMessage.SIZE + Wire.KV_SLOW_WAY, (byte) (r % 4));
                MemorySegment.copy(MemorySegment.ofArray(b.array()), 0, requests, (long) r * KvMessage.SLOW_SIZE, KvMessage.SLOW_SIZE);
            }
            probe.close();
            MemorySegment buf = arena.allocate(2048);
            long[] stats = new long[Stat.MAX];
            double least = Double.MAX_VALUE;
            long lease = 1_000_000;
            long retries = 0;
            for (int round = 0; round < 6; round++) {
                long before = MX.getCurrentThreadAllocatedBytes();
                for (int rep = 0; rep < 50; rep++) {
                    for (int r = 0; r < n; r++) {
                        MemorySegment.copy(requests, (long) r * KvMessage.SLOW_SIZE, buf, 0, KvMessage.SLOW_SIZE);
                        buf.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, KvMessage.SIZE + Wire.KV_SLOW_LEASE, ++lease);
                        slow.serve(buf, KvMessage.SLOW_SIZE, stats);
                        retries += io.dint.wire.Header.status(buf) == io.dint.wire.Status.RETRY ? 1 : 0;
                    }
                }
                least = Math.min(least, (double) (MX.getCurrentThreadAllocatedBytes() - before) / (50.0 * n));
            }
            assertThat(stats[Stat.TX]).isEqualTo(6L * 50 * n);
            assertThat(retries).as("every request served, none refused by its lease").isZero();
            assertThat(least).as("slow path bytes allocated per request").isLessThan(AllocationProbe.NONE);
        }
    }
}
