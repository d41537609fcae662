package io.dint.server;

import java.util.Map;

/**
 * A server made of another with something around it (a cache filled first, a process's extra
 * state): what it reports and checks is the inner server's.
 */
public interface ForwardingServer extends ServiceServer {
    /** The server this one reports for. */
    ServiceServer inner();

    @Override
    default Map<String, Object> stats() {
        return inner().stats();
    }

    @Override
    default Map<String, Object> check() {
        return inner().check();
    }

    @Override
    default Map<String, long[]> perCpuStats() {
        return inner().perCpuStats();
    }

    /** Closes the inner server; one that holds more closes that too. */
    @Override
    default void close() {
        inner().close();
    }
}
