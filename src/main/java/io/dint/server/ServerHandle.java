package io.dint.server;

import java.util.Map;

/**
 * A running server as whoever drives it sees it: what it said when it became ready, its counters
 * and its end-of-run check. A {@link ServerProcess} is one this process started and talks to over
 * the child's stdin and stdout; a {@link ControlClient} is one started elsewhere, reached through
 * its control endpoint.
 */
public interface ServerHandle extends AutoCloseable {
    /** What the server reported once serving: service, backend, pid and its scale. */
    Map<String, Object> ready();

    /** The server's counters now ({@link ServiceServer#stats()}). */
    Map<String, Object> stats();

    /** The service counters of {@link #stats()} now, read by {@link io.dint.wire.Stat} index. */
    default StatCounters counters() {
        return StatCounters.reported(stats());
    }

    /** The counters of the slow path behind an XDP backend's kernel cache (kv and shards), as {@link #counters()}. */
    default StatCounters slowPathCounters() {
        return StatCounters.reported(stats(), StatCounters.SLOW_PATH_PREFIX);
    }

    /** The server's state at quiescence ({@link ServiceServer#check()}). */
    Map<String, Object> check();

    /** Lets the server go: stops a server this process started; only disconnects from one it did not. */
    @Override
    void close();
}
