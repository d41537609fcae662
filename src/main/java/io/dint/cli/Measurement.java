package io.dint.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --warmup}, {@code --window}: how long a run warms up and measures. */
final class Measurement {
    @Option(names = "--warmup", paramLabel = "S", defaultValue = "1", description = "Warm-up seconds before each measurement."
            + " Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(names = "--window", paramLabel = "S", description = "Measured seconds: of each sweep point (bench), of the fault-free"
            + " and of the faulty runs (chaos: fault-free, faulty, fault-free again). Default: ${DEFAULT-VALUE} (bench measures several points per backend, chaos one"
            + " per run, long enough for its faults and kills to show).")
    double window;

    /** Refuses a negative warm-up or an empty window. */
    Measurement checked() {
        if (warmup < 0 || !(window > 0)) {
            throw new IllegalArgumentException("--warmup must be >= 0 and --window > 0 seconds");
        }
        return this;
    }

    Duration warmup() {
        return seconds(warmup);
    }

    Duration window() {
        return seconds(window);
    }

    /** {@code s} seconds, to the millisecond. */
    static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
