package io.dint.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.dint.testing.AllocationCheck;
import io.dint.testing.Allocations;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log client, the Java log service and the drainer allocate nothing per record. */
@AllocationCheck
class LogAllocationTest {
    private static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int SLOTS = 4096;

    @TempDir
    Path dir;

    @Test
    void clientServiceAndDrainerDoNotAllocatePerRecord() throws Exception {
        try (Arena arena = Arena.ofShared(); LogFile file = LogFile.open(dir.resolve("alloc.dlog"))) {
            LogRings rings = new LogRings(arena.allocate(4L * SLOTS * Wire.LOG_ENTRY_SIZE, 8),
                    arena.allocate(4L * Wire.LOG_CURSOR_SIZE, 8), 4, SLOTS); // a ring per server thread of each round
            LogDrainer drainer = new LogDrainer(rings, file, FsyncPolicy.standard(), 50_000);
            drainer.start();
            Allocations.ClientFactory clients = (transport, stats, addr, port, txns) ->
                    new LogClient(transport, stats, 1, addr, port, 16, 1_000_000, 1, 50_000_000L, txns, null);
            Allocations.assertNonePerRequest(new LogService(rings), 20296, clients, 30_000, 25_000);
            Thread thread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("log-drainer")).findFirst().orElseThrow();
            long before = MX.getThreadAllocatedBytes(thread.threadId());
            long drainedBefore = drainer.drained();
            Allocations.measure(new LogService(rings), 20295, clients, 30_000);
            assertThat(drainer.awaitDrained(10_000_000_000L)).isTrue();
            long records = drainer.drained() - drainedBefore;
            assertThat(records).isGreaterThanOrEqualTo(60_000);
            assertThat((double) (MX.getThreadAllocatedBytes(thread.threadId()) - before) / records)
                    .as("drainer bytes allocated per record").isLessThan(1.0);
            drainer.close();
        }
    }
}
