package io.dint.client;

import java.lang.foreign.MemorySegment;

/**
 * Batched datagram I/O for load generators and clients: fill up to {@link #capacity()} request
 * buffers, {@link #flush} them, {@link #poll} for replies. Implementations allocate nothing per
 * datagram; kernel sockets and AF_XDP both sit behind it so every client runs over either.
 */
public interface Transport extends AutoCloseable {
    /** Most datagrams one flush or poll handles. */
    int capacity();

    /** Buffer of the {@code i}-th datagram of the next flush. */
    MemorySegment txBuffer(int i);

    /** Sets the length and destination of the {@code i}-th datagram of the next flush. */
    void setTx(int i, int length, int dstAddr, int dstPort);

    /** Sends datagrams {@code [0, count)}; returns how many went out (the rest must be re-queued). */
    int flush(int count);

    /** Waits up to {@code timeoutMillis} for replies; returns how many arrived (0 on timeout). */
    int poll(int timeoutMillis);

    /** Buffer of the {@code i}-th datagram of the last poll. */
    MemorySegment rxBuffer(int i);

    /** Length of the {@code i}-th datagram of the last poll. */
    int rxLength(int i);

    @Override
    void close();
}
