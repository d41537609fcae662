package io.dint.kv;

import io.dint.wire.Op;
import io.dint.workload.NuRand;
import io.dint.workload.Tatp;
import java.util.SplittableRandom;

/**
 * A trace of KV requests with the paper's parameters: CALL_FORWARDING keys of subscribers drawn
 * by NURand, sf_type and start_time uniform; each request a GET with probability
 * {@code getFraction}, else a SET ("parallel" = 100% GET, "contention" = 80% GET / 20% SET: one
 * mix for every backend, unlike the original's clients). Stored flat so a client walks it
 * without allocating; deterministic for a seed.
 */
public final class KvTrace {
    /** The paper's two KV workloads. */
    public enum Mix {
        PARALLEL(1.0), CONTENTION(0.8);

        private final double getFraction;

        Mix(double getFraction) {
            this.getFraction = getFraction;
        }

        public double getFraction() {
            return getFraction;
        }

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Mix parse(String s) {
            for (Mix m : values()) {
                if (m.id().equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown KV mix '" + s + "': use parallel (100% GET) or contention (80% GET, 20% SET)");
        }
    }

    private final byte[] ops;
    private final long[] keys;

    private KvTrace(byte[] ops, long[] keys) {
        this.ops = ops;
        this.keys = keys;
    }

    public static KvTrace generate(long subscribers, double getFraction, int length, long seed) {
        if (!(getFraction >= 0 && getFraction <= 1)) {
            throw new IllegalArgumentException("GET fraction must be in [0, 1], got " + getFraction);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("trace length must be positive, got " + length);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        NuRand nurand = new NuRand(1, subscribers, rnd.nextLong(NuRand.aFor(subscribers) + 1));
        byte[] ops = new byte[length];
        long[] keys = new long[length];
        for (int i = 0; i < length; i++) {
            keys[i] = Tatp.callForwardingKey(nurand.next(rnd), 1 + rnd.nextInt(4), Tatp.START_TIMES[rnd.nextInt(3)]);
            ops[i] = (byte) (rnd.nextDouble() < getFraction ? Op.KV_GET : Op.KV_SET);
        }
        return new KvTrace(ops, keys);
    }

    public int length() {
        return ops.length;
    }

    public int op(int i) {
        return ops[i];
    }

    public long key(int i) {
        return keys[i];
    }
}
