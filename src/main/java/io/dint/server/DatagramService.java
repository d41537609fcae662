package io.dint.server;

import java.lang.foreign.MemorySegment;

/**
 * A service written once and served by every user-space backend: one request datagram in, its
 * reply written over it. Implementations check their input as strictly as their XDP twin and
 * count what they drop in the same {@link io.dint.wire.Stat} counters.
 */
public interface DatagramService {
    /**
     * Serves the request in {@code buf[0, len)} in place.
     *
     * @param stats this thread's counters, indexed by {@link io.dint.wire.Stat}
     * @return the reply's length, or -1 to drop the datagram
     */
    int serve(MemorySegment buf, int len, long[] stats);

    /**
     * Counts a request and checks its length as the XDP programs do ({@code dint_parse}, then the
     * exact message size): too short is truncated, anything else but {@code size} a bad length.
     *
     * @return true when the request is exactly {@code size} bytes; otherwise it has been counted
     *     as dropped
     */
    static boolean acceptLength(int len, int size, long[] stats) {
        stats[io.dint.wire.Stat.RX]++;
        if (len > io.dint.wire.Wire.MAX_PAYLOAD || len > size) {
            stats[io.dint.wire.Stat.DROP_BAD_LENGTH]++;
            return false;
        }
        if (len < size) {
            stats[io.dint.wire.Stat.DROP_TRUNCATED]++;
            return false;
        }
        return true;
    }

    /** Service-specific state for checks at quiescence (e.g. locks still held). */
    default java.util.Map<String, Object> check() {
        return java.util.Map.of();
    }
}
