/**
 * The loader: libbpf 1.x bound with the FFM API. {@link io.dint.bpf.BpfObject} opens a compiled
 * {@code *.bpf.o} (shipped under {@code bpf/} on the class path), lets maps be resized and
 * {@code .rodata} set before {@link io.dint.bpf.BpfObject#load()}, and reports a refused load
 * with the verifier log. Loaded programs attach to XDP through a bpf_link (gone when the process
 * dies) or to TC clsact egress/ingress, or run without a network through BPF_PROG_TEST_RUN
 * ({@link io.dint.bpf.BpfProgram#testRun}). Map
 * elements are read and written through {@link java.lang.foreign.MemorySegment}s, heap or native,
 * without allocation. libbpf's functions are declared once, in the package-private interface
 * {@code LibBpf}, and bound by {@link io.dint.sys.Native}; the structs passed to libbpf and the
 * kernel are named layouts ({@code BpfStructs}) checked against BTF by a test.
 *
 * <p>Objects are loaded typed: {@link io.dint.bpf.ObjectSpec} sizes maps, writes settings into
 * global variables at their BTF offsets ({@link io.dint.bpf.BpfVariable}), pins maps, loads, and
 * hands the object back as a record of its maps and programs, each component named by {@link
 * io.dint.bpf.Handle}.
 */
package io.dint.bpf;
