package io.dint.kv;

/**
 * What a KV server serves and how its kernel cache behaves.
 *
 * @param data            the data set: every key the store holds
 * @param policy          the kernel cache's policy (xdp)
 * @param cacheRatio      kernel cache slots per key (the paper's 1.5); the cache has slots/4 buckets
 * @param leaseNanos      how long a bucket locked for a slow-path request stays locked before
 *                        another request may take it over (xdp)
 * @param dropSlowReplies slow-path replies to drop as if lost, for tests of the lease (xdp)
 */
public record KvSettings(KvDataSet data, KvPolicy policy, double cacheRatio, long leaseNanos, int dropSlowReplies) {
    public KvSettings {
        KvStore.bucketsFor(data.universe(), cacheRatio); // checks the ratio before the data set is built
    }
}
