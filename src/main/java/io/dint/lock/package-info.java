/**
 * The 2PL lock service (no-wait; the paper's lock microbenchmark), both halves: the XDP program
 * {@code lock2pl.bpf.c}, loaded by {@link io.dint.lock.LockObject}, and its user-space twin {@link
 * io.dint.lock.LockTable} (the {@code udp} and {@code afxdp} backends). Both answer every request
 * alike because both apply the same lock rules: {@code lock_rules.h} in C, {@link
 * io.dint.lock.LockRules} in Java, which the OCC table and the transaction shards use as well. {@link
 * io.dint.lock.LockEntryService} is what the user-space lock services share (entries, dedup window,
 * scan); {@link io.dint.lock.LockEntryCounts} scans lock entries wherever they live and {@link
 * io.dint.lock.LockTableCheck} is 2PL's view of a scan. The client side: the paper's trace, {@link
 * io.dint.lock.LockTrace}, run by {@link io.dint.lock.LockClient} through {@link
 * io.dint.lock.TraceClient}.
 *
 * <p>Start with: {@link io.dint.lock.LockRules}, then {@link io.dint.lock.LockTable} and {@link
 * io.dint.lock.LockClient}.
 *
 * <p>May use: {@code io.dint.wire}, {@code io.dint.bpf}, {@code io.dint.server}, {@code
 * io.dint.client}.
 */
package io.dint.lock;
