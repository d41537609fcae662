package io.dint.bpf;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layout check itself, against the running kernel's BTF: a right layout passes, and each kind
 * of drift (a name, an offset, a size, a member missing or extra, deep in a nested struct or a
 * union, a bit field, a member of an anonymous member) is reported, naming the member.
 */
class BtfTest {
    private static final Btf KERNEL = Btf.vmlinux();

    private static final StructLayout SOCKADDR_IN = structLayout(
            JAVA_SHORT.withName("sin_family"), JAVA_SHORT.withName("sin_port"), JAVA_INT.withName("sin_addr"),
            sequenceLayout(8, JAVA_BYTE).withName("__pad")).withName("sockaddr_in");
    private static final StructLayout RING_OFFSET = structLayout(
            JAVA_LONG.withName("producer"), JAVA_LONG.withName("consumer"), JAVA_LONG.withName("desc"),
            JAVA_LONG.withName("flags")).withName("xdp_ring_offset");

    @Test
    void aRightLayoutMatches() {
        assertThat(KERNEL.mismatches(SOCKADDR_IN)).isEmpty();
        assertThat(KERNEL.mismatches(RING_OFFSET)).isEmpty();
    }

    @Test
    void aWrongNameIsReported() {
        StructLayout glibcNames = structLayout(
                JAVA_SHORT.withName("sin_family"), JAVA_SHORT.withName("sin_port"), JAVA_INT.withName("sin_addr"),
                sequenceLayout(8, JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");
        assertThat(KERNEL.mismatches(glibcNames)).containsExactly("sockaddr_in: member 3 is __pad in C, sin_zero in Java");
    }

    @Test
    void aWrongOffsetOrSizeIsReported() {
        StructLayout shortLen = structLayout(ADDRESS.withName("iov_base"), JAVA_INT.withName("iov_len"), paddingLayout(4))
                .withName("iovec");
        assertThat(KERNEL.mismatches(shortLen)).containsExactly("iovec.iov_len: size 8 in C, 4 in Java");
        StructLayout shifted = structLayout(JAVA_LONG.withName("addr"), paddingLayout(4), JAVA_INT.withName("len"),
                JAVA_INT.withName("options"), paddingLayout(4)).withName("xdp_desc");
        assertThat(KERNEL.mismatches(shifted)).containsExactly(
                "xdp_desc.len: offset 8 in C, 12 in Java", "xdp_desc.options: offset 12 in C, 16 in Java",
                "xdp_desc: size 16 in C, 24 in Java");
    }

    @Test
    void aMissingOrExtraMemberIsReported() {
        StructLayout noFlags = structLayout(JAVA_LONG.withName("producer"), JAVA_LONG.withName("consumer"),
                JAVA_LONG.withName("desc")).withName("xdp_ring_offset");
        assertThat(KERNEL.mismatches(noFlags)).containsExactly("xdp_ring_offset.flags: in C, not in Java",
                "xdp_ring_offset: size 32 in C, 24 in Java");
        StructLayout extra = structLayout(JAVA_INT.withName("flags"), JAVA_INT.withName("more")).withName("xdp_options");
        assertThat(KERNEL.mismatches(extra)).containsExactly("xdp_options.more: in Java, not in C",
                "xdp_options: size 4 in C, 8 in Java");
    }

    @Test
    void nestedStructsAndUnionsAreComparedInside() {
        StructLayout offsets = structLayout(RING_OFFSET.withName("rx"), RING_OFFSET.withName("tx"),
                noFlagsNamed("fr"), RING_OFFSET.withName("cr")).withName("xdp_mmap_offsets");
        assertThat(KERNEL.mismatches(offsets)).contains("xdp_mmap_offsets.fr: size 32 in C, 24 in Java");
        StructLayout ifreq = structLayout(
                unionLayout(sequenceLayout(16, JAVA_BYTE).withName("ifrn_name")).withName("ifr_ifrn"),
                unionLayout(JAVA_LONG.withName("ifru_mtu"), sequenceLayout(24, JAVA_BYTE).withName("ifru_map"))
                        .withName("ifr_ifru")).withName("ifreq");
        assertThat(KERNEL.mismatches(ifreq)).containsExactly("ifreq.ifr_ifru.ifru_mtu: size 4 in C, 8 in Java");
        StructLayout unionTooSmall = structLayout(
                unionLayout(sequenceLayout(16, JAVA_BYTE).withName("ifrn_name")).withName("ifr_ifrn"),
                unionLayout(JAVA_INT.withName("ifru_mtu")).withName("ifr_ifru"), paddingLayout(20)).withName("ifreq");
        assertThat(KERNEL.mismatches(unionTooSmall)).containsExactly("ifreq.ifr_ifru: size 24 in C, 4 in Java");
    }

    private static StructLayout noFlagsNamed(String name) {
        return structLayout(JAVA_LONG.withName("producer"), JAVA_LONG.withName("consumer"), JAVA_LONG.withName("desc"))
                .withName(name);
    }

    @Test
    void aMemberOfAnAnonymousMemberMayBeNamed() {
        StructLayout sockaddr = structLayout(JAVA_SHORT.withName("sa_family"), sequenceLayout(14, JAVA_BYTE).withName("sa_data"))
                .withName("sockaddr");
        assertThat(KERNEL.mismatches(sockaddr)).isEmpty();
        StructLayout shortData = structLayout(JAVA_SHORT.withName("sa_family"), sequenceLayout(12, JAVA_BYTE).withName("sa_data"),
                paddingLayout(2)).withName("sockaddr");
        assertThat(KERNEL.mismatches(shortData)).hasSize(1).allMatch(s -> s.startsWith("sockaddr.sa_data: size 14 in C, 12"));
    }

    @Test
    void aBitFieldIsComparedAsItsStorageUnit() {
        assertThat(KERNEL.mismatches(progInfoUpToGpl(JAVA_INT.withName("gpl_compatible")), "bpf_prog_info", true))
                .isEmpty();
        assertThat(KERNEL.mismatches(progInfoUpToGpl(JAVA_BYTE.withName("gpl_compatible"), paddingLayout(3)),
                "bpf_prog_info", true)).containsExactly("bpf_prog_info.gpl_compatible: size 4 in C, 1 in Java");
    }

    /** The members of bpf_prog_info before its bit field gpl_compatible (a __u32 :1), then {@code gpl}. */
    private static StructLayout progInfoUpToGpl(MemoryLayout... gpl) {
        List<MemoryLayout> members = new ArrayList<>(List.of(JAVA_INT.withName("type"), JAVA_INT.withName("id"),
                sequenceLayout(8, JAVA_BYTE).withName("tag"), JAVA_INT.withName("jited_prog_len"),
                JAVA_INT.withName("xlated_prog_len"), JAVA_LONG.withName("jited_prog_insns"),
                JAVA_LONG.withName("xlated_prog_insns"), JAVA_LONG.withName("load_time"),
                JAVA_INT.withName("created_by_uid"), JAVA_INT.withName("nr_map_ids"), JAVA_LONG.withName("map_ids"),
                sequenceLayout(16, JAVA_BYTE).withName("name"), JAVA_INT.withName("ifindex")));
        members.addAll(List.of(gpl));
        return structLayout(members.toArray(MemoryLayout[]::new)).withName("bpf_prog_info");
    }

    @Test
    void aPrefixMayStopShortButNotDiffer() {
        StructLayout firstTwo = structLayout(JAVA_INT.withName("type"), JAVA_INT.withName("id")).withName("bpf_prog_info");
        assertThat(KERNEL.mismatches(firstTwo, "bpf_prog_info", true)).isEmpty();
        assertThat(KERNEL.mismatches(firstTwo)).contains("bpf_prog_info.tag: in C, not in Java");
        StructLayout swapped = structLayout(JAVA_INT.withName("id"), JAVA_INT.withName("type")).withName("bpf_prog_info");
        assertThat(KERNEL.mismatches(swapped, "bpf_prog_info", true)).containsExactly(
                "bpf_prog_info: member 0 is type in C, id in Java", "bpf_prog_info: member 1 is id in C, type in Java");
    }

    @Test
    void aMemberPathNamesTheMembersType() {
        StructLayout enableStats = structLayout(JAVA_INT.withName("type")).withName("enable_stats");
        assertThat(KERNEL.mismatches(enableStats, "bpf_attr.enable_stats", false)).isEmpty();
        assertThat(KERNEL.mismatches(enableStats, "bpf_attr.no_such_member", false))
                .containsExactly("bpf_attr has no member no_such_member in /sys/kernel/btf/vmlinux");
        assertThat(KERNEL.mismatches(enableStats, "no_such_struct", false))
                .containsExactly("no struct or union no_such_struct in /sys/kernel/btf/vmlinux");
    }

    @Test
    void enumeratorsAreRead() {
        assertThat(KERNEL.enumerators()).containsEntry("BPF_MAP_TYPE_ARRAY", 2L).containsEntry("XDP_TX", 3L);
        assertThat(Btf.abiProbe().enumerators("if_xdp_")).containsEntry("XDP_UMEM_PGOFF_FILL_RING", 1L << 32);
    }
}
