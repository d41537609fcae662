package io.dint.workload;

import java.util.SplittableRandom;

/**
 * TATP's non-uniform random numbers: {@code NURand(A, x, y) = (((rand(0, A) | rand(x, y)) + C)
 * % (y - x + 1)) + x}, with A chosen from the population size as the TATP specification does
 * (65535 up to 1M subscribers, 1048575 up to 10M, 2097151 above) and C a per-run constant.
 */
public final class NuRand {
    private final long a;
    private final long x;
    private final long y;
    private final long c;

    public NuRand(long x, long y, long c) {
        if (y < x) {
            throw new IllegalArgumentException("NURand needs x <= y, got [" + x + ", " + y + "]");
        }
        this.x = x;
        this.y = y;
        this.a = aFor(y - x + 1);
        this.c = c;
    }

    /** The A of the TATP specification for a population of {@code n}. */
    public static long aFor(long n) {
        if (n <= 1_000_000) {
            return 65_535;
        }
        if (n <= 10_000_000) {
            return 1_048_575;
        }
        return 2_097_151;
    }

    public long a() {
        return a;
    }

    public long next(SplittableRandom rnd) {
        long r1 = rnd.nextLong(a + 1);
        long r2 = x + rnd.nextLong(y - x + 1);
        return ((r1 | r2) + c) % (y - x + 1) + x;
    }
}
