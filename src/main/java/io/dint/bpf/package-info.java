/**
 * The loader: libbpf 1.x bound with the FFM API. {@link io.dint.bpf.BpfObject} opens a compiled
 * {@code *.bpf.o} (shipped under {@code bpf/} on the class path), lets maps be resized and
 * {@code .rodata} set before {@link io.dint.bpf.BpfObject#load()}, and reports a refused load
 * with the verifier log. Loaded programs attach to XDP through a bpf_link (gone when the process
 * dies) or to TC clsact egress/ingress, or run without a network through BPF_PROG_TEST_RUN
 * ({@link io.dint.bpf.BpfProgram#testRun}). Map
 * elements are read and written through {@link java.lang.foreign.MemorySegment}s, heap or native,
 * without allocation. All native calls live in one package-private class, {@code LibBpf}; struct
 * offsets are those of libbpf 1.1.2's headers on LP64 and are noted where they are used.
 */
package io.dint.bpf;
