package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Btf;
import java.lang.foreign.StructLayout;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link IfXdp} against the kernel: every struct layout member by member against the running
 * kernel's BTF (the pre-5.4 ring offsets too, which the kernel keeps as {@code xdp_ring_offset_v1}
 * and {@code xdp_mmap_offsets_v1}), and every constant against {@code <linux/if_xdp.h>}.
 * {@code BtfTest} shows the check failing on planted drift.
 */
class IfXdpTest {
    /** Structs the kernel grows, taking their size from the caller: older kernels have a prefix. */
    private static final Set<StructLayout> GROWN = Set.of(IfXdp.UMEM_REG, IfXdp.STATISTICS);

    @Test
    void everyLayoutMatchesTheKernel() {
        Btf kernel = Btf.vmlinux();
        for (StructLayout layout : IfXdp.ALL) {
            String name = layout.name().orElseThrow();
            assertThat(kernel.mismatches(layout, name, GROWN.contains(layout))).as("%s against %s", name, kernel).isEmpty();
        }
    }

    @Test
    void constantsMatchTheHeader() {
        assertThat(Btf.constants(IfXdp.class)).as("io.dint.xsk.IfXdp vs <linux/if_xdp.h> (src/test/c/abi_probe.c)")
                .containsExactlyInAnyOrderEntriesOf(Btf.abiProbe().enumerators("if_xdp_"));
    }

    @Test
    void framesHoldPacketsWhereTheKernelPutsThem() {
        assertThat(Btf.abiProbe().enumerators("xsk_")).containsExactlyEntriesOf(
                java.util.Map.of("XDP_PACKET_HEADROOM", (long) Umem.DATA_OFFSET));
    }

    @Test
    void aDescriptorIsWhatTheRingsHold() {
        assertThat(IfXdp.DESC.byteSize()).isEqualTo(16);
        assertThat(IfXdp.MMAP_OFFSETS.byteSize()).isEqualTo(4 * IfXdp.RING_OFFSET.byteSize());
    }
}
