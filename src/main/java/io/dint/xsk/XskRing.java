package io.dint.xsk;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * One of the four single-producer single-consumer rings an AF_XDP socket shares with the kernel:
 * a power-of-two array of entries plus a producer and a consumer index, free-running u32 counters
 * that wrap (the entry is {@code index & mask}). We produce on the fill and TX rings and consume
 * the RX and completion rings; the kernel does the other side.
 *
 * <p>Ordering is what libxdp's {@code xsk.h} does: the other side's index is read with acquire
 * (entries it published are visible after), ours is published with release (entries we wrote are
 * visible before). Between those, each side keeps a cached copy of both indices, so the shared
 * words are touched once per batch, not per entry.
 *
 * <p>Producer use: {@code int at = ring.reserve(n)} gives how many entries were reserved, starting
 * at {@link #producerCursor()} taken before the call; write them with {@link #setAddr} or
 * {@link #setDesc}; {@link #submit()} publishes everything reserved. Consumer use:
 * {@code int start = ring.consumerCursor(); int k = ring.peek(n)}, read entries
 * {@code start..start+k-1}, then {@link #release(int)}.
 *
 * <p>Not thread-safe: one thread (or one lock holder) per ring side.
 */
final class XskRing {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final long DESC_SIZE = IfXdp.DESC.byteSize();
    private static final long DESC_ADDR = IfXdp.DESC.byteOffset(groupElement("addr"));
    private static final long DESC_LEN = IfXdp.DESC.byteOffset(groupElement("len"));
    private static final long DESC_OPTIONS = IfXdp.DESC.byteOffset(groupElement("options"));

    private final MemorySegment mem;
    private final long producerOff;
    private final long consumerOff;
    private final long descOff;
    private final long flagsOff;
    private final int size;
    private final int mask;
    private final int entryBytes;
    private int cachedProd;
    private int cachedCons;

    /**
     * @param mem        the mapped ring (or, in tests, any native segment laid out the same way)
     * @param flagsOff   offset of the flags word, or -1 when the kernel has none
     * @param entryBytes 8 for the fill and completion rings (u64 addresses), 16 for RX and TX ({@link IfXdp#XDP_DESC})
     * @param producer   whether we are this ring's producer
     */
    XskRing(MemorySegment mem, long producerOff, long consumerOff, long descOff, long flagsOff, int size,
            int entryBytes, boolean producer) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two, got " + size);
        }
        if (entryBytes != 8 && entryBytes != DESC_SIZE) {
            throw new IllegalArgumentException("ring entries are 8 or 16 bytes, got " + entryBytes);
        }
        if (mem.byteSize() < descOff + (long) size * entryBytes) {
            throw new IllegalArgumentException("ring of " + size + " entries does not fit in " + mem.byteSize() + " bytes");
        }
        this.mem = mem;
        this.producerOff = producerOff;
        this.consumerOff = consumerOff;
        this.descOff = descOff;
        this.flagsOff = flagsOff;
        this.size = size;
        this.mask = size - 1;
        this.entryBytes = entryBytes;
        this.cachedProd = (int) INT.getAcquire(mem, producerOff);
        int cons = (int) INT.getAcquire(mem, consumerOff);
        // A producer sees "size" free entries ahead of the consumer; a consumer none yet.
        this.cachedCons = producer ? cons + size : cons;
    }

    int size() {
        return size;
    }

    // ---- producer side (fill, TX) ----

    /** Entries free for us to produce, refreshing the consumer index only when fewer than {@code wanted} are known free. */
    int free(int wanted) {
        int free = cachedCons - cachedProd;
        if (Integer.compareUnsigned(free, wanted) >= 0) {
            return free;
        }
        cachedCons = (int) INT.getAcquire(mem, consumerOff) + size;
        return cachedCons - cachedProd;
    }

    /** Reserves up to {@code n} entries from {@link #producerCursor()} on; returns how many. */
    int reserve(int n) {
        int k = Math.min(n, free(n));
        cachedProd += k;
        return k;
    }

    /** Gives back the last {@code n} reserved entries, not yet submitted, unwritten. */
    void cancel(int n) {
        cachedProd -= n;
    }

    /** Index of the next entry {@link #reserve} hands out. */
    int producerCursor() {
        return cachedProd;
    }

    /** Publishes every reserved entry to the kernel. */
    void submit() {
        INT.setRelease(mem, producerOff, cachedProd);
    }

    /** Entries produced and not yet taken by the consumer (for a producer ring: in flight in the kernel). */
    int outstanding() {
        return (int) INT.getAcquire(mem, producerOff) - (int) INT.getAcquire(mem, consumerOff);
    }

    // ---- consumer side (RX, completion) ----

    /** Index of the next entry {@link #peek} would return. */
    int consumerCursor() {
        return cachedCons;
    }

    /** Up to {@code n} entries ready from {@link #consumerCursor()} on, refreshing the producer index when none are known. */
    int peek(int n) {
        int ready = cachedProd - cachedCons;
        if (ready == 0) {
            cachedProd = (int) INT.getAcquire(mem, producerOff);
            ready = cachedProd - cachedCons;
        }
        return Math.min(ready, n);
    }

    /** Hands {@code n} peeked entries back to the producer. */
    void release(int n) {
        cachedCons += n;
        INT.setRelease(mem, consumerOff, cachedCons);
    }

    // ---- entries ----

    /** Fill/completion entry {@code index} (any free-running index; masked here). */
    long addr(int index) {
        return mem.get(JAVA_LONG, descOff + (long) (index & mask) * entryBytes);
    }

    void setAddr(int index, long addr) {
        mem.set(JAVA_LONG, descOff + (long) (index & mask) * entryBytes, addr);
    }

    /** RX/TX descriptor {@code index}: UMEM address of the frame's first byte. */
    long descAddr(int index) {
        return mem.get(JAVA_LONG, descOff + (index & mask) * DESC_SIZE + DESC_ADDR);
    }

    int descLen(int index) {
        return mem.get(JAVA_INT, descOff + (index & mask) * DESC_SIZE + DESC_LEN);
    }

    void setDesc(int index, long addr, int len) {
        long at = descOff + (index & mask) * DESC_SIZE;
        mem.set(JAVA_LONG, at + DESC_ADDR, addr);
        mem.set(JAVA_INT, at + DESC_LEN, len);
        mem.set(JAVA_INT, at + DESC_OPTIONS, 0);
    }

    /** Whether the kernel asked for a syscall before it looks at this ring again ({@code XDP_USE_NEED_WAKEUP}). */
    boolean needsWakeup() {
        return flagsOff >= 0 && ((int) INT.getAcquire(mem, flagsOff) & IfXdp.XDP_RING_NEED_WAKEUP) != 0;
    }
}
