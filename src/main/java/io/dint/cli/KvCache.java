package io.dint.cli;

import io.dint.kv.KvPolicy;
import picocli.CommandLine.Option;

/** {@code --cache}, {@code --cache-ratio}: the in-kernel cache of the KV store and of xdp shards. */
final class KvCache {
    @Option(names = "--cache", paramLabel = "POLICY", defaultValue = "write-back-bloom",
            description = "KV cache policy: write-back-bloom, write-back or write-through. Default: ${DEFAULT-VALUE}.")
    String policy;

    @Option(names = "--cache-ratio", paramLabel = "R", defaultValue = "1.5", description = "Kernel cache slots per KV key, or per"
            + " record of an xdp shard (paper: 1.5); the cache has slots/4 buckets. Default: ${DEFAULT-VALUE}.")
    double ratio;

    /** The policy named, or a refusal that lists them. */
    KvPolicy policy() {
        return KvPolicy.parse(policy);
    }
}
