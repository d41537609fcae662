package io.dint.net;

import static io.dint.sys.SocketStructs.IOVEC;
import static io.dint.sys.SocketStructs.MMSGHDR;
import static io.dint.sys.SocketStructs.SOCKADDR_IN;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.dint.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@code capacity} datagram slots of {@code slotBytes} bytes each, with everything
 * {@code sendmmsg}/{@code recvmmsg} need, in one off-heap allocation.
 *
 * <p>A slot has a payload buffer, a length and a peer address. After {@link UdpSocket#receive} the
 * first {@code n} slots hold the received datagrams, their lengths and their senders; rewriting a
 * payload in place and calling {@link UdpSocket#send} with the same {@code n} answers every sender.
 *
 * <p>Native layout ({@link io.dint.sys.SocketStructs}): two {@code struct mmsghdr[capacity]} arrays,
 * one for sending and one for receiving, each with its own {@code struct iovec[capacity]}; they share one
 * {@code struct sockaddr_in[capacity]} and the payload buffers. Send iovecs carry the slot lengths;
 * receive iovecs always cover the whole slot, so a receive never has to reset anything first.
 *
 * <p>Not thread-safe: one batch belongs to one thread at a time. Accessors allocate nothing.
 */
public final class MsgBatch implements AutoCloseable {
    static final long HDR_SIZE = MMSGHDR.byteSize();
    static final long IOV_SIZE = IOVEC.byteSize();
    static final long SA_SIZE = SOCKADDR_IN.byteSize();
    static final long OFF_NAME = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_name"));
    static final long OFF_NAMELEN = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_namelen"));
    static final long OFF_IOV = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_iov"));
    static final long OFF_IOVLEN = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_iovlen"));
    static final long OFF_FLAGS = MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement("msg_flags"));
    static final long OFF_MSGLEN = MMSGHDR.byteOffset(groupElement("msg_len"));
    static final long OFF_IOV_BASE = IOVEC.byteOffset(groupElement("iov_base"));
    static final long OFF_IOV_LEN = IOVEC.byteOffset(groupElement("iov_len"));
    static final long OFF_SIN_FAMILY = SOCKADDR_IN.byteOffset(groupElement("sin_family"));
    static final long OFF_SIN_PORT = SOCKADDR_IN.byteOffset(groupElement("sin_port"));
    static final long OFF_SIN_ADDR = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));

    private static final ValueLayout.OfShort PORT_BE = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt ADDR_BE = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long ALIGN = 64;

    private final Arena arena;
    private final MemorySegment mem;
    private final int capacity;
    private final int slotBytes;
    private final long stride;
    private final long sendHdr;
    private final long recvHdr;
    private final long sendIov;
    private final long recvIov;
    private final long addrs;
    private final long buffers;
    private final MemorySegment[] slots;

    private MsgBatch(int capacity, int slotBytes) {
        this.capacity = capacity;
        this.slotBytes = slotBytes;
        this.stride = roundUp(slotBytes, ALIGN);
        this.sendHdr = 0;
        this.recvHdr = sendHdr + HDR_SIZE * capacity;
        this.sendIov = recvHdr + HDR_SIZE * capacity;
        this.recvIov = sendIov + IOV_SIZE * capacity;
        this.addrs = recvIov + IOV_SIZE * capacity;
        this.buffers = roundUp(addrs + SA_SIZE * capacity, ALIGN);
        this.arena = Arena.ofShared();
        this.mem = arena.allocate(buffers + stride * capacity, ALIGN);
        this.slots = new MemorySegment[capacity];
        long base = mem.address();
        for (int i = 0; i < capacity; i++) {
            slots[i] = mem.asSlice(buffers + stride * i, slotBytes);
            long sa = addrs + SA_SIZE * i;
            mem.set(JAVA_SHORT, sa + OFF_SIN_FAMILY, (short) Libc.AF_INET);
            long buf = base + buffers + stride * i;
            initHdr(sendHdr + HDR_SIZE * i, base + sa, base + sendIov + IOV_SIZE * i);
            initHdr(recvHdr + HDR_SIZE * i, base + sa, base + recvIov + IOV_SIZE * i);
            mem.set(JAVA_LONG, sendIov + IOV_SIZE * i + OFF_IOV_BASE, buf);
            mem.set(JAVA_LONG, sendIov + IOV_SIZE * i + OFF_IOV_LEN, 0L);
            mem.set(JAVA_LONG, recvIov + IOV_SIZE * i + OFF_IOV_BASE, buf);
            mem.set(JAVA_LONG, recvIov + IOV_SIZE * i + OFF_IOV_LEN, slotBytes);
        }
    }

    /** {@code capacity} slots (what one {@code sendmmsg}/{@code recvmmsg} moves at most) of {@code slotBytes} each. */
    public static MsgBatch allocate(int capacity, int slotBytes) {
        if (capacity < 1 || capacity > 1024) {
            throw new IllegalArgumentException("capacity must be 1..1024 (UIO_MAXIOV), got " + capacity);
        }
        if (slotBytes < 1 || slotBytes > 65507) {
            throw new IllegalArgumentException("slotBytes must be 1..65507 (largest UDP payload), got " + slotBytes);
        }
        return new MsgBatch(capacity, slotBytes);
    }

    public int capacity() {
        return capacity;
    }

    public int slotBytes() {
        return slotBytes;
    }

    /** Slot {@code i}'s whole payload buffer ({@link #slotBytes()} long); the same object on every call. */
    public MemorySegment slot(int i) {
        return slots[i];
    }

    /** The payload length of slot {@code i}: what was received into it, or what {@link #setLength} set. */
    public int length(int i) {
        return (int) mem.get(JAVA_LONG, sendIov + IOV_SIZE * check(i) + OFF_IOV_LEN);
    }

    /** How many bytes of slot {@code i} the next send transmits. */
    public void setLength(int i, int n) {
        if (n < 0 || n > slotBytes) {
            throw new IllegalArgumentException("length " + n + " outside 0.." + slotBytes);
        }
        mem.set(JAVA_LONG, sendIov + IOV_SIZE * check(i) + OFF_IOV_LEN, n);
    }

    /** Whether the datagram received into slot {@code i} was longer than the slot and got cut. */
    public boolean truncated(int i) {
        return (mem.get(JAVA_INT, recvHdr + HDR_SIZE * check(i) + OFF_FLAGS) & Libc.MSG_TRUNC) != 0;
    }

    /** Sender of the datagram received into slot {@code i}, or destination of slot {@code i} when sending (host order). */
    public int peerAddr(int i) {
        return mem.get(ADDR_BE, addrs + SA_SIZE * check(i) + OFF_SIN_ADDR);
    }

    public int peerPort(int i) {
        return Short.toUnsignedInt(mem.get(PORT_BE, addrs + SA_SIZE * check(i) + OFF_SIN_PORT));
    }

    public void setPeer(int i, int ipv4Addr, int port) {
        long sa = addrs + SA_SIZE * check(i);
        mem.set(ADDR_BE, sa + OFF_SIN_ADDR, ipv4Addr);
        mem.set(PORT_BE, sa + OFF_SIN_PORT, (short) port);
    }

    /** Sets the same destination on slots {@code 0..count-1}. */
    public void setPeerAll(int count, int ipv4Addr, int port) {
        for (int i = 0; i < count; i++) {
            setPeer(i, ipv4Addr, port);
        }
    }

    public void copyPeer(int from, int to) {
        MemorySegment.copy(mem, addrs + SA_SIZE * check(from), mem, addrs + SA_SIZE * check(to), SA_SIZE);
    }

    /**
     * Moves slot {@code from} (payload buffer, length, peer) to slot {@code to} without copying the payload:
     * the two slots swap buffers, so afterwards {@code slot(to)} is the buffer {@code slot(from)} was and
     * {@code from} holds {@code to}'s old buffer. For compacting replies in place before a send.
     */
    public void moveSlot(int from, int to) {
        if (check(from) == check(to)) {
            return;
        }
        MemorySegment f = slots[from];
        slots[from] = slots[to];
        slots[to] = f;
        long fromBase = sendIov + IOV_SIZE * from + OFF_IOV_BASE;
        long toBase = sendIov + IOV_SIZE * to + OFF_IOV_BASE;
        long tmp = mem.get(JAVA_LONG, fromBase);
        mem.set(JAVA_LONG, fromBase, mem.get(JAVA_LONG, toBase));
        mem.set(JAVA_LONG, toBase, tmp);
        mem.set(JAVA_LONG, recvIov + IOV_SIZE * from + OFF_IOV_BASE, mem.get(JAVA_LONG, fromBase));
        mem.set(JAVA_LONG, recvIov + IOV_SIZE * to + OFF_IOV_BASE, tmp);
        mem.set(JAVA_LONG, sendIov + IOV_SIZE * to + OFF_IOV_LEN, mem.get(JAVA_LONG, sendIov + IOV_SIZE * from + OFF_IOV_LEN));
        copyPeer(from, to);
    }

    @Override
    public void close() {
        arena.close();
    }

    long sendHdrAddress(int from) {
        return mem.address() + sendHdr + HDR_SIZE * from;
    }

    long recvHdrAddress() {
        return mem.address() + recvHdr;
    }

    /** The whole native block, for layout tests. */
    MemorySegment memory() {
        return mem;
    }

    long sendHdrOffset() {
        return sendHdr;
    }

    long recvHdrOffset() {
        return recvHdr;
    }

    long sendIovOffset() {
        return sendIov;
    }

    long recvIovOffset() {
        return recvIov;
    }

    long addrsOffset() {
        return addrs;
    }

    /** Offset of slot {@code i}'s buffer as allocated (before any {@link #moveSlot}). */
    long bufferOffset(int i) {
        return buffers + stride * i;
    }

    /** After recvmmsg returned {@code n}: publish the received lengths as the slots' lengths. */
    void finishReceive(int n) {
        for (int i = 0; i < n; i++) {
            int len = mem.get(JAVA_INT, recvHdr + HDR_SIZE * i + OFF_MSGLEN);
            mem.set(JAVA_LONG, sendIov + IOV_SIZE * i + OFF_IOV_LEN, Math.min(len, slotBytes));
        }
    }

    private void initHdr(long hdr, long nameAddr, long iovAddr) {
        mem.set(JAVA_LONG, hdr + OFF_NAME, nameAddr);
        mem.set(JAVA_INT, hdr + OFF_NAMELEN, (int) SA_SIZE);
        mem.set(JAVA_LONG, hdr + OFF_IOV, iovAddr);
        mem.set(JAVA_LONG, hdr + OFF_IOVLEN, 1L);
    }

    private int check(int i) {
        if (i < 0 || i >= capacity) {
            throw new IndexOutOfBoundsException("slot " + i + " of " + capacity);
        }
        return i;
    }

    private static long roundUp(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
