/**
 * A transaction shard, the server side of Smallbank and TATP. Each of three servers stores every
 * key (primary for a third, backup for the rest), each record with its value, version, existence
 * and lock entry, and answers the commit protocol (the README's section "Commit protocol"). {@link
 * io.dint.shard.ShardStore} is a shard in Java (the {@code udp} and {@code afxdp} backends); {@link
 * io.dint.shard.ShardXdpServer} serves {@code shard.bpf.c} (records cached in the kernel, locks, log
 * appends) with {@link io.dint.shard.ShardSlowPath} behind it. The end-of-run checks read a shard
 * through {@code ShardCheck} (tables, rows, sums), {@link io.dint.shard.ShardLog} (its commit log
 * replayed) and {@link io.dint.shard.RecordDigest}.
 *
 * <p>Start with: {@link io.dint.shard.ShardStore}, then {@link io.dint.shard.ShardXdpServer}.
 *
 * <p>May use: {@code io.dint.wire}, {@code io.dint.bpf}, {@code io.dint.server}, {@code
 * io.dint.lock} (the lock rules), {@code io.dint.log} (the rings and their replay). It also imports
 * {@link io.dint.workload.Tatp}: {@code ShardCheck} counts TATP's call forwardings that lack their
 * special facility, so a server knows one workload's schema, and the packages import one another in
 * a cycle ({@code shard -> workload -> txn -> shard}).
 */
package io.dint.shard;
