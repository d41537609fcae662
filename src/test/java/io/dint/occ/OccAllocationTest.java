package io.dint.occ;

import io.dint.lock.LockTable;
import io.dint.lock.LockTrace;
import io.dint.testing.Allocations;
import org.junit.jupiter.api.Test;

/** The OCC client's loop and the UDP backend serving the OCC table allocate nothing per request. */
class OccAllocationTest {
    @Test
    void clientAndServerLoopsDoNotAllocatePerRequest() throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(100_000, 1000, 3));
        Allocations.assertNonePerRequest(new OccTable(LockTable.sizeFor(100_000)), 20298,
                (transport, stats, addr, port, txns) -> new OccClient(transport, stats, trace, 1, addr, port, 16, 0, 50_000_000L, txns),
                20_000, 100_000);
    }
}
