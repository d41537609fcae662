package io.dint.bpf;

/**
 * The outcome of {@link BpfProgram#testRun}: the program's return value (an {@link Xdp} or
 * {@link Tc} verdict), the packet as the program left it, and the mean nanoseconds of one run.
 */
public record TestRun(int verdict, byte[] output, long durationNs) {
}
