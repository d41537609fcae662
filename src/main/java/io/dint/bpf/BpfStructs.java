package io.dint.bpf;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * The C structs this package fills or reads, as named layouts checked by {@code BpfStructsTest}:
 * the kernel's ({@code <linux/bpf.h>}) against {@code /sys/kernel/btf/vmlinux}, libbpf's option
 * structs against the BTF of a program compiled from libbpf's own headers; names, offsets and sizes.
 */
final class BpfStructs {
    /**
     * {@code struct bpf_prog_info}, whole as of Linux 6.18: the kernel fills as much of it as both
     * sides know (the length passed in and out), so a kernel with a shorter one leaves the rest 0.
     */
    static final StructLayout BPF_PROG_INFO = structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("id"),
            sequenceLayout(8, JAVA_BYTE).withName("tag"),
            JAVA_INT.withName("jited_prog_len"),
            JAVA_INT.withName("xlated_prog_len"),
            JAVA_LONG.withName("jited_prog_insns"),
            JAVA_LONG.withName("xlated_prog_insns"),
            JAVA_LONG.withName("load_time"),
            JAVA_INT.withName("created_by_uid"),
            JAVA_INT.withName("nr_map_ids"),
            JAVA_LONG.withName("map_ids"),
            sequenceLayout(16, JAVA_BYTE).withName("name"),
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("gpl_compatible"), // a 1-bit field and 31 bits of padding in C
            JAVA_LONG.withName("netns_dev"),
            JAVA_LONG.withName("netns_ino"),
            JAVA_INT.withName("nr_jited_ksyms"),
            JAVA_INT.withName("nr_jited_func_lens"),
            JAVA_LONG.withName("jited_ksyms"),
            JAVA_LONG.withName("jited_func_lens"),
            JAVA_INT.withName("btf_id"),
            JAVA_INT.withName("func_info_rec_size"),
            JAVA_LONG.withName("func_info"),
            JAVA_INT.withName("nr_func_info"),
            JAVA_INT.withName("nr_line_info"),
            JAVA_LONG.withName("line_info"),
            JAVA_LONG.withName("jited_line_info"),
            JAVA_INT.withName("nr_jited_line_info"),
            JAVA_INT.withName("line_info_rec_size"),
            JAVA_INT.withName("jited_line_info_rec_size"),
            JAVA_INT.withName("nr_prog_tags"),
            JAVA_LONG.withName("prog_tags"),
            JAVA_LONG.withName("run_time_ns"),
            JAVA_LONG.withName("run_cnt"),
            JAVA_LONG.withName("recursion_misses"),
            JAVA_INT.withName("verified_insns"),
            JAVA_INT.withName("attach_btf_obj_id"),
            JAVA_INT.withName("attach_btf_id"),
            paddingLayout(4)).withName("bpf_prog_info");

    /** {@code struct xdp_md}, the context of an XDP program, as a test run passes it in. */
    static final StructLayout XDP_MD = structLayout(
            JAVA_INT.withName("data"),
            JAVA_INT.withName("data_end"),
            JAVA_INT.withName("data_meta"),
            JAVA_INT.withName("ingress_ifindex"),
            JAVA_INT.withName("rx_queue_index"),
            JAVA_INT.withName("egress_ifindex")).withName("xdp_md");

    /** The {@code enable_stats} member of {@code union bpf_attr} (BPF_ENABLE_STATS): the kernel takes a short attr. */
    static final StructLayout BPF_ATTR_ENABLE_STATS = structLayout(
            JAVA_INT.withName("type")).withName("enable_stats");

    /** libbpf's {@code struct bpf_test_run_opts} (bpf/bpf.h, libbpf 1.1), {@code sz} first as in every opts struct. */
    static final StructLayout BPF_TEST_RUN_OPTS = structLayout(
            JAVA_LONG.withName("sz"),
            ADDRESS.withName("data_in"),
            ADDRESS.withName("data_out"),
            JAVA_INT.withName("data_size_in"),
            JAVA_INT.withName("data_size_out"),
            ADDRESS.withName("ctx_in"),
            ADDRESS.withName("ctx_out"),
            JAVA_INT.withName("ctx_size_in"),
            JAVA_INT.withName("ctx_size_out"),
            JAVA_INT.withName("retval"),
            JAVA_INT.withName("repeat"),
            JAVA_INT.withName("duration"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("cpu"),
            JAVA_INT.withName("batch_size")).withName("bpf_test_run_opts");

    /** libbpf's {@code struct bpf_tc_hook} (bpf/libbpf.h). */
    static final StructLayout BPF_TC_HOOK = structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("attach_point"),
            JAVA_INT.withName("parent"),
            paddingLayout(4)).withName("bpf_tc_hook");

    /** libbpf's {@code struct bpf_tc_opts} (bpf/libbpf.h). */
    static final StructLayout BPF_TC_OPTS = structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("prog_fd"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("prog_id"),
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("priority"),
            paddingLayout(4)).withName("bpf_tc_opts");

    /** The kernel's, checked against vmlinux. */
    static final List<StructLayout> KERNEL_STRUCTS = List.of(BPF_PROG_INFO, XDP_MD);
    /** libbpf's, checked against its headers. */
    static final List<StructLayout> LIBBPF_STRUCTS = List.of(BPF_TEST_RUN_OPTS, BPF_TC_HOOK, BPF_TC_OPTS);

    private BpfStructs() {}
}
