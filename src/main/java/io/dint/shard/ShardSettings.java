package io.dint.shard;

import io.dint.log.LogSettings;
import java.time.Duration;
import java.util.function.LongUnaryOperator;

/**
 * What a transaction shard holds and how it keeps, caches, leases and recovers it.
 *
 * @param records     records the shard holds (every record of its workload)
 * @param parentKeys  the workload's rule for the end-of-run check: the key whose record must exist
 *                    whenever a record of the given key exists, 0 for none (a shard knows no
 *                    workload; the command line passes its {@code TxnWorkload::parentKey})
 * @param cacheRatio  kernel cache slots per record (xdp); the cache has slots/4 buckets
 * @param leaseNanos  how long a bucket stays locked for a slow-path request before another may take it over (xdp)
 * @param lockLeaseMs a transaction lock granted longer ago than this may be taken over by a
 *                    conflicting request, unless its holder has logged here (0: never)
 * @param log         its commit log; without a file, xdp shards drain to a temporary one and Java
 *                    shards keep theirs in memory only
 * @param recovery    its replicas, and whether it recovers from them
 */
public record ShardSettings(long records, LongUnaryOperator parentKeys, double cacheRatio, long leaseNanos, int lockLeaseMs, LogSettings log,
                            Recovery recovery) {
    /** How long a recovering shard waits for its log and its replicas. */
    static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);

    /**
     * A shard's replicas and its way back after a crash.
     *
     * @param peers   IPv4 addresses of the other replicas (host order; empty: none). A shard with
     *                peers serves snapshots of its records to them.
     * @param recover whether this shard lost everything but its log file and recovers from the
     *                file and its peers before serving, under a new epoch
     * @param graceMs after a recovery, how long reads and locks are answered RETRY while
     *                transactions under way finish their installs
     * @param pin     xdp: the name under which the maps, the program and the records outlive the
     *                process, for a successor to take over (null: none)
     */
    public record Recovery(int[] peers, boolean recover, long graceMs, String pin) {
        /** No replicas, no recovery, nothing pinned. */
        public static final Recovery NONE = new Recovery(new int[0], false, 0, null);

        long graceUntil() {
            return System.nanoTime() + graceMs * 1_000_000;
        }
    }
}
