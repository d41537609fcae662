package io.dint.testing;

import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.lock.LockTrace;

/**
 * A client that runs a lock trace: the constructor {@code LockClient} and {@code OccClient} share,
 * so a test names the client as {@code LockClient::new} and runs it with the settings every lock
 * service test uses ({@link #running}).
 */
@FunctionalInterface
public interface LockTraceClient {
    /** The client loop; {@code traceOffset}: where in the trace it starts, {@code txnLimit}: transactions to run. */
    LoadLoop create(Transport transport, ClientStats stats, LockTrace trace, int clientId, int serverAddr, int serverPort,
                    int inflight, int traceOffset, long timeoutNanos, long txnLimit);

    /** Client 1 running {@code trace} from its start, 16 transactions in flight, a 50 ms timeout. */
    default Allocations.ClientFactory running(LockTrace trace) {
        return (transport, stats, addr, port, txns) -> create(transport, stats, trace, 1, addr, port, 16, 0, 50_000_000L, txns);
    }
}
