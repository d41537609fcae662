/**
 * The OCC lock + version service (FaSST-style; the paper's OCC microbenchmark): {@code occ.bpf.c},
 * loaded by {@link io.dint.occ.OccObject}, its user-space twin {@link io.dint.occ.OccTable}, and
 * {@link io.dint.occ.OccClient}, which runs the lock trace's transactions as a read set and a write
 * set. It is built on {@code io.dint.lock}: the same entries and lock rules (an OCC lock is an
 * exclusive grant, a commit a release that bumps the entry's version), the same service base and
 * trace client; {@link io.dint.occ.OccTableCheck} is OCC's view of a scan.
 *
 * <p>Start with: {@link io.dint.occ.OccTable}, then {@link io.dint.occ.OccClient}.
 *
 * <p>May use: {@code io.dint.lock}, and what it may use: {@code io.dint.wire}, {@code io.dint.bpf},
 * {@code io.dint.server}, {@code io.dint.client}.
 */
package io.dint.occ;
