package io.dint.workload;

import java.util.SplittableRandom;

/** A transaction mix: type i is drawn with probability {@code weights[i] / sum(weights)}. */
public final class Mix {
    private final int[] cumulative;
    private final int total;

    public Mix(int... weights) {
        cumulative = new int[weights.length];
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] < 0) {
                throw new IllegalArgumentException("mix weights must not be negative, got " + weights[i]);
            }
            sum += weights[i];
            cumulative[i] = sum;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("a mix needs a positive weight");
        }
        total = sum;
    }

    public int next(SplittableRandom rnd) {
        int r = rnd.nextInt(total);
        for (int i = 0; ; i++) {
            if (r < cumulative[i]) {
                return i;
            }
        }
    }

    public int types() {
        return cumulative.length;
    }

    /** Probability of type i. */
    public double share(int i) {
        return (double) (cumulative[i] - (i == 0 ? 0 : cumulative[i - 1])) / total;
    }
}
