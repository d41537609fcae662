package io.dint.occ;

import io.dint.lock.LockClient;
import io.dint.lock.LockTable;
import io.dint.lock.LockTrace;
import io.dint.server.DatagramService;
import io.dint.testing.AllocationCheck;
import io.dint.testing.Allocations;
import io.dint.testing.LockTraceClient;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The clients of the two lock services, 2PL and OCC, running a lock trace, and the UDP backend
 * serving their tables, allocate nothing per request.
 */
@AllocationCheck
class LockServicesAllocationTest {
    enum Service {
        LOCK2PL(() -> new LockTable(LockTable.sizeFor(100_000)), LockClient::new, 20299),
        OCC(() -> new OccTable(LockTable.sizeFor(100_000)), OccClient::new, 20298);

        final Supplier<DatagramService> table;
        final LockTraceClient client;
        final int port;

        Service(Supplier<DatagramService> table, LockTraceClient client, int port) {
            this.table = table;
            this.client = client;
            this.port = port;
        }
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void clientAndServerLoopsDoNotAllocatePerRequest(Service service) throws Exception {
        LockTrace trace = LockTrace.generate(LockTrace.Params.paper(100_000, 1000, 3));
        Allocations.assertNonePerRequest(service.table.get(), service.port, service.client.running(trace), 100_000, 100_000);
    }
}
