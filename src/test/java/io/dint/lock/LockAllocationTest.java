package io.dint.lock;

import io.dint.testing.Allocations;
import org.junit.jupiter.api.Test;

/** The lock client's loop and the UDP backend serving the lock table allocate nothing per request. */
class LockAllocationTest {
    @Test
    void clientAndServerLoopsDoNotAllocatePerRequest() throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(100_000, 1000, 3));
        Allocations.assertNonePerRequest(new LockTable(LockTable.sizeFor(100_000)), 20299,
                (transport, stats, addr, port, txns) -> new LockClient(transport, stats, trace, 1, addr, port, 16, 0, 50_000_000L, txns),
                20_000, 100_000);
    }
}
