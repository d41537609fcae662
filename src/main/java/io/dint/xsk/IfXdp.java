package io.dint.xsk;

import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * {@code <linux/if_xdp.h>}: the AF_XDP socket options, flags and mmap offsets (named as the
 * macros), and the structs passed with them as named layouts (named as the structs, less
 * {@code xdp_}). {@code IfXdpTest} compares the layouts with the kernel's BTF
 * ({@code /sys/kernel/btf/vmlinux}: names, offsets, sizes) and the constants with the header.
 */
final class IfXdp {
    // socket options (SOL_XDP)
    static final int XDP_MMAP_OFFSETS = 1;
    static final int XDP_RX_RING = 2;
    static final int XDP_TX_RING = 3;
    static final int XDP_UMEM_REG = 4;
    static final int XDP_UMEM_FILL_RING = 5;
    static final int XDP_UMEM_COMPLETION_RING = 6;
    static final int XDP_STATISTICS = 7;
    static final int XDP_OPTIONS = 8;

    // sockaddr_xdp.sxdp_flags
    static final int XDP_SHARED_UMEM = 1;
    static final int XDP_COPY = 1 << 1;
    static final int XDP_ZEROCOPY = 1 << 2;
    static final int XDP_USE_NEED_WAKEUP = 1 << 3;
    /** Ring flags word: the kernel waits for a syscall before it looks at the ring again. */
    static final int XDP_RING_NEED_WAKEUP = 1;
    /** xdp_options.flags: the socket is bound in zero-copy mode. */
    static final int XDP_OPTIONS_ZEROCOPY = 1;

    // mmap page offsets of the rings
    static final long XDP_PGOFF_RX_RING = 0;
    static final long XDP_PGOFF_TX_RING = 0x80000000L;
    static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;

    /** {@code struct sockaddr_xdp}: what an AF_XDP socket binds to. */
    static final StructLayout SOCKADDR_XDP = structLayout(
            JAVA_SHORT.withName("sxdp_family"),
            JAVA_SHORT.withName("sxdp_flags"),
            JAVA_INT.withName("sxdp_ifindex"),
            JAVA_INT.withName("sxdp_queue_id"),
            JAVA_INT.withName("sxdp_shared_umem_fd")).withName("sockaddr_xdp");

    /** {@code struct xdp_umem_reg} with {@code tx_metadata_len} (6.8), left 0: older kernels read only what they know. */
    static final StructLayout UMEM_REG = structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_LONG.withName("len"),
            JAVA_INT.withName("chunk_size"),
            JAVA_INT.withName("headroom"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("tx_metadata_len")).withName("xdp_umem_reg");

    /** {@code struct xdp_ring_offset}: where a ring's indices, entries and flags lie in its mapping. */
    static final StructLayout RING_OFFSET = structLayout(
            JAVA_LONG.withName("producer"),
            JAVA_LONG.withName("consumer"),
            JAVA_LONG.withName("desc"),
            JAVA_LONG.withName("flags")).withName("xdp_ring_offset");

    /** {@code struct xdp_mmap_offsets} (XDP_MMAP_OFFSETS): one ring offset per ring. */
    static final StructLayout MMAP_OFFSETS = structLayout(
            RING_OFFSET.withName("rx"),
            RING_OFFSET.withName("tx"),
            RING_OFFSET.withName("fr"),
            RING_OFFSET.withName("cr")).withName("xdp_mmap_offsets");

    /** The ring offset of kernels before 5.4, without the flags word (the kernel's xdp_ring_offset_v1). */
    static final StructLayout RING_OFFSET_V1 = structLayout(
            JAVA_LONG.withName("producer"),
            JAVA_LONG.withName("consumer"),
            JAVA_LONG.withName("desc")).withName("xdp_ring_offset_v1");

    /** What XDP_MMAP_OFFSETS answers on kernels before 5.4 (shorter: the length says which). */
    static final StructLayout MMAP_OFFSETS_V1 = structLayout(
            RING_OFFSET_V1.withName("rx"),
            RING_OFFSET_V1.withName("tx"),
            RING_OFFSET_V1.withName("fr"),
            RING_OFFSET_V1.withName("cr")).withName("xdp_mmap_offsets_v1");

    /** {@code struct xdp_statistics} (XDP_STATISTICS); kernels before 5.9 fill only the first three. */
    static final StructLayout STATISTICS = structLayout(
            JAVA_LONG.withName("rx_dropped"),
            JAVA_LONG.withName("rx_invalid_descs"),
            JAVA_LONG.withName("tx_invalid_descs"),
            JAVA_LONG.withName("rx_ring_full"),
            JAVA_LONG.withName("rx_fill_ring_empty_descs"),
            JAVA_LONG.withName("tx_ring_empty_descs")).withName("xdp_statistics");

    /** {@code struct xdp_options} (XDP_OPTIONS). */
    static final StructLayout OPTIONS = structLayout(
            JAVA_INT.withName("flags")).withName("xdp_options");

    /** {@code struct xdp_desc}, an entry of the RX and TX rings (the fill and completion rings hold bare u64 addresses). */
    static final StructLayout DESC = structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("options")).withName("xdp_desc");

    /** Every layout above, for the test against the kernel's BTF. */
    static final List<StructLayout> ALL = List.of(SOCKADDR_XDP, UMEM_REG, RING_OFFSET, MMAP_OFFSETS, RING_OFFSET_V1,
            MMAP_OFFSETS_V1, STATISTICS, OPTIONS, DESC);

    private IfXdp() {}
}
