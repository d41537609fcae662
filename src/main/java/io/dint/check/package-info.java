/**
 * The serializability check of everything the clients observed. The coordinators record a {@link
 * io.dint.check.History} — each committed transaction's reads and writes with their versions and
 * value digests, the would-be writes of aborted attempts, the population as initial versions — and
 * {@link io.dint.check.SerializabilityChecker} judges it by Adya's anomaly classes (G0, G1a, G1b,
 * G1c, G-single, G2-item, and reads or installs no serial order explains), with exact counts and a
 * few examples of each. The README's section "The serializability check" says what a pass proves
 * and what it does not.
 *
 * <p>Start with: {@link io.dint.check.SerializabilityChecker} (its Javadoc names the class of each
 * step), then {@link io.dint.check.History}.
 *
 * <p>May use: {@code io.dint.wire} ({@link io.dint.wire.Hash64} only). It knows nothing of servers
 * or protocols: it reads a history.
 */
package io.dint.check;
