package io.dint.server;

import java.util.Map;

/** A running backend serving one service: what a server process reports and checks. */
public interface ServiceServer extends AutoCloseable {
    /** Counters by {@link io.dint.wire.Stat} name, plus backend figures (e.g. XDP run time). */
    Map<String, Object> stats();

    /** Service state at quiescence, for end-of-run checks. */
    Map<String, Object> check();

    /**
     * The kernel's per-CPU counters by {@link io.dint.wire.Stat} name, one value per possible CPU
     * (the {@code stats} map of an XDP backend); empty for a backend without one.
     */
    default Map<String, long[]> perCpuStats() {
        return Map.of();
    }

    @Override
    void close();
}
