/**
 * The wire format, and the layouts of the kernel's tables, in Java: the mirror of
 * {@code src/main/bpf/dint_wire.h}, the one source of truth, C struct by C struct. {@link
 * io.dint.wire.Wire} holds the layouts, named after the C members so that {@code WireLayoutTest}
 * compares them with the compiled objects' BTF, and the sizes and offsets derived from them;
 * {@link io.dint.wire.Op}, {@link io.dint.wire.Status} and {@link io.dint.wire.Stat} are the
 * opcodes, reply statuses and counters. One flyweight of static accessors per message ({@link
 * io.dint.wire.Header}, {@link io.dint.wire.LockMessage}, {@link io.dint.wire.OccMessage}, {@link
 * io.dint.wire.LogMessage}, {@link io.dint.wire.KvMessage}, {@link io.dint.wire.TxnMessage}) reads
 * and writes a message in its buffer without allocating ({@link io.dint.wire.Zeros} clears a
 * field without a slice). {@link io.dint.wire.RequestIds} numbers
 * requests so that a restarted client never repeats one; {@link io.dint.wire.Hash64} is the
 * kernel's {@code dint_hash64}, so both sides pick the same table entry for a key; {@link
 * io.dint.wire.RecordDigest} is the digest of a record that replicas, commit logs and
 * coordinators compare.
 *
 * <p>Start with: {@link io.dint.wire.Wire}, then {@link io.dint.wire.Header} and one message.
 *
 * <p>May use: the JDK only. Every other package may use it.
 */
package io.dint.wire;
