package io.dint.kv;

import io.dint.wire.Wire;
import java.util.Arrays;
import java.util.Locale;

/** The kernel cache's policy, chosen at server start (the paper's Table 1 compares them). */
public enum KvPolicy {
    /** SET hits stay in the kernel (dirty); a clear Bloom bit answers NOT_EXIST in the kernel. */
    WRITE_BACK_BLOOM(Wire.KV_WRITE_BACK_BLOOM),
    /** As above without the Bloom filter: every miss goes to user space. */
    WRITE_BACK(Wire.KV_WRITE_BACK),
    /** Every SET, INSERT and DELETE goes to user space; GET hits stay in the kernel. */
    WRITE_THROUGH(Wire.KV_WRITE_THROUGH);

    private final int code;

    KvPolicy(int code) {
        this.code = code;
    }

    /** {@code dint_kv_config.policy}. */
    public int code() {
        return code;
    }

    /** The command-line name, e.g. {@code write-back-bloom}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static KvPolicy parse(String s) {
        for (KvPolicy p : values()) {
            if (p.id().equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown cache policy '" + s + "': use one of "
                + Arrays.stream(values()).map(KvPolicy::id).toList());
    }
}
