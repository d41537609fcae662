package io.dint.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/**
 * {@link BpfStructs} and the loader's constants against C: the kernel's structs and enums against
 * the running kernel's BTF, libbpf's option structs and macros against the BTF of
 * {@code src/test/c/abi_probe.c}, compiled from libbpf's and the kernel's headers. {@code BtfTest}
 * shows the check failing on planted drift.
 */
class BpfStructsTest {

    @Test
    void kernelStructsMatchTheKernel() {
        Btf kernel = Btf.vmlinux();
        // bpf_prog_info grows with the kernel, which fills as much as the caller asks for
        assertThat(kernel.mismatches(BpfStructs.BPF_PROG_INFO, "bpf_prog_info", true)).isEmpty();
        assertThat(kernel.mismatches(BpfStructs.XDP_MD)).isEmpty();
        assertThat(kernel.mismatches(BpfStructs.BPF_ATTR_ENABLE_STATS, "bpf_attr.enable_stats", false)).isEmpty();
        assertThat(BpfStructs.KERNEL_STRUCTS).containsExactly(BpfStructs.BPF_PROG_INFO, BpfStructs.XDP_MD);
    }

    @Test
    void libbpfStructsMatchLibbpfsHeaders() {
        Btf libbpf = Btf.abiProbe();
        for (StructLayout layout : BpfStructs.LIBBPF_STRUCTS) {
            assertThat(libbpf.mismatches(layout)).as("%s against libbpf's headers", layout.name().orElseThrow()).isEmpty();
        }
    }

    @Test
    void constantsMatchTheirEnumsAndMacros() {
        var kernel = Btf.vmlinux().enumerators();
        assertThat(kernel).containsEntry("BPF_ANY", BpfMap.ANY).containsEntry("BPF_NOEXIST", BpfMap.NOEXIST)
                .containsEntry("BPF_EXIST", BpfMap.EXIST).containsEntry("BPF_F_LOCK", BpfMap.F_LOCK)
                .containsEntry("BPF_MAP_TYPE_PERCPU_HASH", (long) BpfMap.TYPE_PERCPU_HASH)
                .containsEntry("BPF_MAP_TYPE_PERCPU_ARRAY", (long) BpfMap.TYPE_PERCPU_ARRAY)
                .containsEntry("BPF_MAP_TYPE_LRU_PERCPU_HASH", (long) BpfMap.TYPE_LRU_PERCPU_HASH)
                .containsEntry("BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE", (long) BpfMap.TYPE_PERCPU_CGROUP_STORAGE)
                .containsEntry("BPF_ENABLE_STATS", BpfStats.BPF_ENABLE_STATS)
                .containsEntry("BPF_STATS_RUN_TIME", 0L);
        Btf probe = Btf.abiProbe();
        assertThat(probe.enumerators()).containsEntry("BPF_TC_INGRESS", (long) TcAttachment.INGRESS)
                .containsEntry("BPF_TC_EGRESS", (long) TcAttachment.EGRESS);
        assertThat(probe.enumerators("bpf_")).containsExactlyEntriesOf(
                java.util.Map.of("F_TEST_XDP_LIVE_FRAMES", (long) BpfProgram.F_TEST_XDP_LIVE_FRAMES));
    }
}
