package io.dint.txn;

import io.dint.client.ClientStats;
import io.dint.client.Transport;

/**
 * Transactions one at a time, for applications: {@link #execute} runs a {@link TxnLogic} through
 * the coordinator to its end — committed, or rolled back by the logic — restarting it after
 * conflicts, and says which. For throughput, run many at once with {@link TxnEngine} directly.
 * Each call runs a coordinator of its own under the same client id: its requests carry a fresh
 * incarnation ({@link io.dint.wire.RequestIds}), so the servers never take them for an earlier
 * call's.
 */
public final class TxnClient {
    /** How a transaction ended. */
    public record Outcome(boolean committed, long aborts, long validationAborts) {}

    private final Transport transport;
    private final TxnEngine.Protocol protocol;
    private final int clientId;
    private final int[] servers;
    private final int port;

    /**
     * @param servers the three shard servers' IPv4 addresses, index = key % 3
     */
    public TxnClient(Transport transport, TxnEngine.Protocol protocol, int clientId, int[] servers, int port) {
        this.transport = transport;
        this.protocol = protocol;
        this.clientId = clientId;
        this.servers = servers.clone();
        this.port = port;
    }

    public Outcome execute(TxnLogic logic) {
        ClientStats stats = new ClientStats();
        boolean[] given = {false};
        TxnEngine engine = new TxnEngine(new TxnEngine.Context().transport(transport).stats(stats).source(slot -> {
            if (given[0]) {
                return null;
            }
            given[0] = true;
            return logic;
        }).protocol(protocol).clientId(clientId).servers(servers).port(port).timeoutNanos(200_000_000L));
        try {
            engine.run();
        } catch (TxnEngine.ProtocolViolation v) {
            throw new IllegalStateException("the servers answered a request as the commit protocol does not allow (are they "
                    + "shard servers of a " + (protocol == TxnEngine.Protocol.OCC ? "TATP" : "Smallbank") + " cluster?): "
                    + v.getMessage(), v);
        }
        return new Outcome(stats.get(ClientStats.COMMITTED) == 1, stats.get(ClientStats.ABORTED),
                stats.get(ClientStats.ABORTED_VALIDATION));
    }
}
