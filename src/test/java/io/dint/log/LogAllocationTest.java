package io.dint.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.testing.AllocationCheck;
import io.dint.testing.Allocations;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log client, the Java log service and the drainer allocate nothing per record. */
@AllocationCheck
class LogAllocationTest {
    private static final int SLOTS = 4096;

    @TempDir
    Path dir;

    @Test
    void clientServiceAndDrainerDoNotAllocatePerRecord() throws Exception {
        try (Arena arena = Arena.ofShared(); LogFile file = LogFile.open(dir.resolve("alloc.dlog"))) {
            LogRings rings = new LogRings(arena.allocate(SLOTS * Wire.LOG_ENTRY_SIZE, 8), arena.allocate(Wire.LOG_CURSOR_SIZE, 8),
                    1, SLOTS); // one ring: the one server thread's
            try (LogDrainer drainer = new LogDrainer(rings, file, FsyncPolicy.standard(), 50_000)) {
                drainer.start();
                Allocations.ClientFactory clients = (transport, stats, addr, port, txns) ->
                        new LogClient(transport, stats, 1, addr, port, 16, 1_000_000, 1, 50_000_000L, txns, null);
                // every request appends one record, so bytes per request are the drainer's bytes per record
                Allocations.assertNonePerRequest(new LogService(rings), 20296, clients, 50_000, 50_000, "log-drainer");
                assertThat(drainer.awaitDrained(10_000_000_000L)).isTrue();
                assertThat(drainer.drained()).as("records drained").isGreaterThanOrEqualTo(200_000);
            }
        }
    }
}
