/**
 * A transaction shard, the server side of Smallbank and TATP. Each of three servers stores every
 * key (primary for a third, backup for the rest), each record with its value, version, existence
 * and lock entry, and answers the commit protocol (the README's section "Commit protocol"). {@link
 * io.dint.shard.ShardStore} is a shard in Java (the {@code udp} and {@code afxdp} backends); {@link
 * io.dint.shard.ShardXdpServer} serves {@code shard.bpf.c} (records cached in the kernel, locks, log
 * appends), loaded as a {@link io.dint.shard.ShardObject}, with {@link io.dint.shard.ShardSlowPath}
 * behind it.
 *
 * <p>The Java shard by job: {@code ShardStore} dispatches a request, sorted by {@code ShardOps}, to
 * {@code RecordTable} (the off-heap records: layout, slots, spin words, a file taken over after a
 * crash), {@code LockLeases} (the rules of {@link io.dint.lock.LockRules} under leases, take-over,
 * pins, the epoch), {@code Installs} (writes in version order, repair of torn records) and {@link
 * io.dint.shard.ShardLog} (the commit log, replayed into a record table of its own); {@code
 * RecordObjects} turns records into the kernel cache's objects and back for the slow path. The
 * end-of-run checks read a shard through {@code ShardCheck} (tables, rows, sums, orphans, the
 * {@link io.dint.wire.RecordDigest}), {@code ShardLog} and {@link io.dint.shard.RecordFile}.
 *
 * <p>Start with: {@link io.dint.shard.ShardStore}, then {@code RecordTable}, then {@link
 * io.dint.shard.ShardXdpServer}.
 *
 * <p>May use: {@code io.dint.wire}, {@code io.dint.bpf}, {@code io.dint.net}, {@code
 * io.dint.server}, {@code io.dint.lock} (the lock rules), {@code io.dint.log} (the rings and their
 * replay), {@code io.dint.backend}, {@code io.dint.kv} (the cache reader both programs' caches
 * share: {@link io.dint.kv.CacheBuckets}). It knows no workload: the one workload rule its check applies
 * (a TATP call forwarding needs its special facility) comes in as {@link
 * io.dint.shard.ShardSettings#parentKeys}.
 */
package io.dint.shard;
