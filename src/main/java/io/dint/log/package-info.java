/**
 * The commit-log service: rings appended to by XDP ({@code log.bpf.c}, one ring per CPU, loaded by
 * {@link io.dint.log.LogObject} with its rings pinned) or by the Java backend ({@link
 * io.dint.log.LogService} over {@link io.dint.log.ShmRings}), both laid out as {@link
 * io.dint.log.LogRings}; drained by {@link io.dint.log.LogDrainer} to a checksummed {@link
 * io.dint.log.LogFile}, synced by group commit ({@link io.dint.log.FsyncPolicy}), and read back by
 * {@link io.dint.log.LogReplay}. Rings live in memory that outlives the server process ({@link
 * io.dint.log.RingStorage}), so a restarted server drains every record its predecessor ACKed.
 * {@link io.dint.log.LogServer} puts a front and a drainer together; {@link io.dint.log.LogClient}
 * is the paper's log microbenchmark client. The transaction shards log through the same rings.
 *
 * <p>Start with: {@link io.dint.log.LogServer}, {@link io.dint.log.LogRings}, {@link
 * io.dint.log.LogFile}.
 *
 * <p>May use: {@code io.dint.wire}, {@code io.dint.bpf}, {@code io.dint.server}, {@code
 * io.dint.client}.
 */
package io.dint.log;
