package io.dint.xsk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The packet memory an AF_XDP socket shares with the kernel: {@code frames} frames of
 * {@code frameSize} bytes in one page-aligned block the JVM allocates (an {@link Arena}) and the
 * kernel pins on {@code XDP_UMEM_REG}. Frames are named by index; the kernel names them by byte
 * address ({@code index * frameSize + offset}).
 *
 * <p>Frame data starts {@link #DATA_OFFSET} bytes into a frame, where the kernel puts received
 * packets in copy mode (XDP_PACKET_HEADROOM), so a server can turn a received frame into its reply
 * and send it from the same place. Each frame has a view of its UDP payload made up front
 * ({@link #payload}), so the data path creates no objects.
 */
final class Umem implements AutoCloseable {
    static final int PAGE = 4096;
    /** Where packet data starts in a frame: the kernel's XDP_PACKET_HEADROOM, where copy mode receives. */
    static final int DATA_OFFSET = 256;

    private final Arena arena;
    private final MemorySegment mem;
    private final int frames;
    private final int frameSize;
    private final int frameShift;
    private final MemorySegment[] payloads;

    Umem(int frames, int frameSize) {
        if (frames <= 0) {
            throw new IllegalArgumentException("a UMEM needs frames, got " + frames);
        }
        if (frameSize != 2048 && frameSize != 4096) {
            throw new IllegalArgumentException("frame size must be 2048 or 4096 (aligned chunk mode), got " + frameSize);
        }
        this.frames = frames;
        this.frameSize = frameSize;
        this.frameShift = Integer.numberOfTrailingZeros(frameSize);
        this.arena = Arena.ofShared();
        this.mem = arena.allocate((long) frames * frameSize, PAGE);
        this.payloads = new MemorySegment[frames];
        long payloadBytes = frameSize - DATA_OFFSET - UdpFrame.HEADERS;
        for (int i = 0; i < frames; i++) {
            payloads[i] = mem.asSlice(frameAddr(i) + DATA_OFFSET + UdpFrame.HEADERS, payloadBytes);
        }
    }

    MemorySegment memory() {
        return mem;
    }

    int frames() {
        return frames;
    }

    int frameSize() {
        return frameSize;
    }

    long frameAddr(int frame) {
        return (long) frame << frameShift;
    }

    /** The frame a UMEM address lies in. */
    int frameOf(long addr) {
        return (int) (addr >>> frameShift);
    }

    /** The UDP payload of a frame whose packet starts at {@link #DATA_OFFSET}; the same object every time. */
    MemorySegment payload(int frame) {
        return payloads[frame];
    }

    /** Largest packet (Ethernet header on) a frame holds from {@link #DATA_OFFSET}. */
    int maxPacket() {
        return frameSize - DATA_OFFSET;
    }

    @Override
    public void close() {
        arena.close();
    }
}
