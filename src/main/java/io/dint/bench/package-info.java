/**
 * The benchmarks of {@code ./dint bench}: the service microbenchmarks ({@link
 * io.dint.bench.MicroBench} with a {@link io.dint.bench.LockBench}, {@link io.dint.bench.LogBench}
 * or {@link io.dint.bench.KvBench} workload; {@link io.dint.bench.KvAblation}, the paper's Table 1)
 * and the transaction benchmarks ({@link io.dint.bench.TxnBench}). Each is a sweep of load points
 * ({@link io.dint.bench.LoadPoint}) measured by {@link io.dint.bench.LoadRunner}, on a local cluster
 * with server and client CPUs apart ({@link io.dint.bench.CoreTimes}) or against servers on real
 * hosts ({@link io.dint.bench.Deployment}); the load comes from the in-kernel generator ({@link
 * io.dint.bench.KernelClient}, {@code loadgen.bpf.c}, its layout {@link io.dint.bench.LoadGenLayout})
 * or from a Java client. {@link io.dint.bench.BenchReport} holds what a benchmark measured and
 * derives its figures ({@link io.dint.bench.Figures}) and its JSON; {@link io.dint.bench.Summary}
 * and {@link io.dint.bench.Progress} are for the terminal; {@link io.dint.bench.PaperScale} sizes
 * {@code --scale paper}.
 *
 * <p>Start with: {@link io.dint.bench.MicroBench}, {@link io.dint.bench.LoadRunner}, {@link
 * io.dint.bench.BenchReport}.
 *
 * <p>May use: every package but {@code cli} and {@code report}: it assembles clusters, servers and
 * clients of every service.
 */
package io.dint.bench;
