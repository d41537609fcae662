package io.dint.testing;

/**
 * Settings of the fuzz tests: how many frames each program gets ({@code -Ddint.fuzz.frames}, default
 * 20,000; the long mode is {@code -Ddint.fuzz.frames=1000000}) and the seed
 * ({@code -Ddint.fuzz.seed}, default fixed so that a run repeats), and the one line per program
 * the test output carries: {@code fuzz.<program>.frames = N}.
 */
public final class Fuzz {
    private Fuzz() {}

    /** The default seed: every run fuzzes the same frames unless told otherwise. */
    public static final long DEFAULT_SEED = 0x5eed_d1e7L;

    /** Frames each program is fuzzed with. */
    public static int frames() {
        int n = Integer.getInteger("dint.fuzz.frames", 20_000);
        if (n <= 0) {
            throw new IllegalArgumentException("-Ddint.fuzz.frames must be positive, got " + n);
        }
        return n;
    }

    /** The seed of every fuzz test, printed with each program's count so that a failure can be replayed. */
    public static long seed() {
        String s = System.getProperty("dint.fuzz.seed");
        if (s == null || s.isBlank()) {
            return DEFAULT_SEED;
        }
        try {
            return Long.decode(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Ddint.fuzz.seed must be a number (decimal or 0x...), got '" + s + "'", e);
        }
    }

    /** Prints {@code fuzz.<program>.frames = N} and the seed, the lines {@code ./dint test} shows. */
    public static void report(String program, long frames) {
        System.out.println("fuzz." + program + ".frames = " + frames + " (seed 0x" + Long.toHexString(seed()) + ")");
    }
}
