package io.dint.xsk;

import static io.dint.sys.Libc.LIBC;
import static io.dint.xsk.IfXdp.MMAP_OFFSETS;
import static io.dint.xsk.IfXdp.MMAP_OFFSETS_V1;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.sys.Libc;
import io.dint.sys.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The rings of one AF_XDP socket mapped into this process: where each lies is asked of the kernel
 * ({@code XDP_MMAP_OFFSETS}), each is mapped at its page offset, and all are unmapped together.
 * The sizes were set on the socket before ({@code XDP_RX_RING} and the like).
 */
final class XskMapping implements AutoCloseable {
    private static final long FILL_ENTRY = 8; // the fill and completion rings hold u64 UMEM addresses

    private final long[] maps = new long[8]; // address, length pairs to munmap
    private final MemorySegment offsets;
    /** The kernel's layout of the offsets: the current one, or before 5.4 the one without ring flags. */
    private final StructLayout layout;
    private final int fd;

    /** Asks socket {@code fd} where its rings lie ({@code arena} for the call only); map them next. */
    XskMapping(int fd, Arena arena) {
        MemorySegment asked = arena.allocate(MMAP_OFFSETS);
        MemorySegment len = arena.allocateFrom(JAVA_INT, (int) MMAP_OFFSETS.byteSize());
        NativeException.check(LIBC.getsockopt(fd, Libc.SOL_XDP, IfXdp.XDP_MMAP_OFFSETS, asked, len),
                "getsockopt(XDP_MMAP_OFFSETS)");
        this.fd = fd;
        this.offsets = MemorySegment.ofArray(new long[(int) MMAP_OFFSETS.byteSize() / 8]).copyFrom(asked);
        this.layout = len.get(JAVA_INT, 0) < MMAP_OFFSETS.byteSize() ? MMAP_OFFSETS_V1 : MMAP_OFFSETS;
    }

    XskRing rx(int size) {
        return map("rx", size, IfXdp.DESC.byteSize(), false, IfXdp.XDP_PGOFF_RX_RING, 0, "RX");
    }

    XskRing tx(int size) {
        return map("tx", size, IfXdp.DESC.byteSize(), true, IfXdp.XDP_PGOFF_TX_RING, 2, "TX");
    }

    XskRing fill(int size) {
        return map("fr", size, FILL_ENTRY, true, IfXdp.XDP_UMEM_PGOFF_FILL_RING, 4, "fill");
    }

    XskRing completion(int size) {
        return map("cr", size, FILL_ENTRY, false, IfXdp.XDP_UMEM_PGOFF_COMPLETION_RING, 6, "completion");
    }

    /**
     * Maps ring {@code ring} ("rx", "tx", "fr", "cr": its member of xdp_mmap_offsets) of
     * {@code size} entries, of which we are the producer or the consumer.
     */
    @SuppressWarnings("restricted") // the kernel's ring memory, mapped into this process, of the length mapped
    private XskRing map(String ring, int size, long entryBytes, boolean producer, long pgoff, int slot, String name) {
        long prod = offset(ring, "producer");
        long cons = offset(ring, "consumer");
        long desc = offset(ring, "desc");
        long flags = layout == MMAP_OFFSETS ? offset(ring, "flags") : -1;
        long length = desc + size * entryBytes;
        long addr = LIBC.mmap(0, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, pgoff);
        NativeException.check(addr, "mmap of the " + name + " ring (" + length + " bytes)");
        maps[slot] = addr;
        maps[slot + 1] = length;
        return new XskRing(MemorySegment.ofAddress(addr).reinterpret(length), prod, cons, desc, flags, size,
                (int) entryBytes, producer);
    }

    /** Where the kernel says {@code field} of {@code ring} lies in that ring's mapping. */
    private long offset(String ring, String field) {
        return offsets.get(JAVA_LONG, layout.byteOffset(groupElement(ring), groupElement(field)));
    }

    /** Unmaps every ring mapped. Harmless when repeated. */
    @Override
    public void close() {
        for (int i = 0; i < maps.length; i += 2) {
            if (maps[i] != 0) {
                int r = LIBC.munmap(maps[i], maps[i + 1]);
                maps[i] = 0;
                assert r == 0;
            }
        }
    }
}
