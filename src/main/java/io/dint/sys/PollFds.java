package io.dint.sys;

import static io.dint.sys.Libc.LIBC;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@code struct pollfd} array in native memory, polled for input without allocating: what every
 * socket here waits with (the UDP sockets, each AF_XDP socket, the AF_XDP server's idle sleep).
 */
public final class PollFds {
    private static final long FD = SocketStructs.POLLFD.byteOffset(groupElement("fd"));
    private static final long EVENTS = SocketStructs.POLLFD.byteOffset(groupElement("events"));

    /** Held, not only its address: memory of an automatic arena lives as long as its segments are reachable. */
    private final MemorySegment memory;
    private final long address;
    private final int count;

    /** {@code fds}, each waited on for input ({@code POLLIN}), in memory of {@code arena} (kept while this is). */
    public PollFds(Arena arena, int... fds) {
        MemorySegment m = arena.allocate(SocketStructs.POLLFD, fds.length);
        for (int i = 0; i < fds.length; i++) {
            long at = i * SocketStructs.POLLFD.byteSize();
            m.set(JAVA_INT, at + FD, fds[i]);
            m.set(JAVA_SHORT, at + EVENTS, Libc.POLLIN);
        }
        this.memory = m;
        this.address = m.address();
        this.count = fds.length;
    }

    /**
     * Waits up to {@code timeoutMillis} (0: not at all) for input on any of the descriptors.
     *
     * @return how many have input, 0 on timeout, or -errno (EINTR when a signal came first)
     */
    public int pollIn(int timeoutMillis) {
        int r = LIBC.pollNoErrno(address, count, timeoutMillis);
        if (r >= 0) {
            return r;
        }
        // failed (EINTR, mostly): ask again without waiting, errno captured, to learn why
        return LIBC.poll(address, count, 0);
    }
}
