package io.dint.cli;

import io.dint.bench.Kill;
import io.dint.cluster.WireFaults;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The option groups of {@code dint chaos}, each turned into what the run needs: the faults on the
 * wire ({@link Faults}), the kills ({@link Kills}), and a soak instead of the side-by-side windows
 * ({@link Soak}). The checks of the values given live here, in the options' own words.
 */
final class ChaosOptions {
    private ChaosOptions() {}

    /**
     * {@code --drop}, {@code --dup}, {@code --reorder}, {@code --delay-us}: the faults the wire's BPF
     * program injects ({@link WireFaults}), as shares of DINT's frames to each host.
     */
    static final class Faults {
        /** The share of frames dropped, duplicated and reordered when no fault is given. */
        static final double DEFAULT_SHARE = 0.01;

        @Option(names = "--drop", description = "Share of DINT's frames dropped on their way to each host (0..1). Default: 0.01"
                + " when no fault is given, else 0.")
        Double drop;

        @Option(names = "--dup", description = "Share of frames sent twice. Default: as --drop.")
        Double dup;

        @Option(names = "--reorder", description = "Share of frames sent the long way, so that later frames overtake them. Default: as --drop.")
        Double reorder;

        @Option(names = "--delay-us", description = "Delay frames by a set time: not available on this kernel (see --help of chaos).")
        Long delayUs;

        /** The faults given; with none, {@link #DEFAULT_SHARE} of each. A delay is refused, with the reason. */
        WireFaults.Faults wire() {
            if (delayUs != null) {
                throw new IllegalArgumentException("--delay-us is not available: delaying a frame by a set time needs the fq or"
                        + " netem qdisc (an EDT timestamp set by BPF is honoured only by fq), and this kernel has neither; a BPF"
                        + " timer cannot hold a packet. Reordering (--reorder) delays a frame by one receive cycle instead.");
            }
            double unset = drop != null || dup != null || reorder != null ? 0 : DEFAULT_SHARE;
            return new WireFaults.Faults(drop != null ? drop : unset, dup != null ? dup : unset, reorder != null ? reorder : unset);
        }
    }

    /** {@code --kill}, {@code --every}: what the run kills, in each shard in turn, and how often. */
    static final class Kills {
        @Option(names = "--kill", description = "Kill, every --every seconds, one shard in turn and restart it: slow-path (the Java"
                + " process of an xdp shard; its XDP program keeps serving) or server (the whole server: its process, pinned maps"
                + " and memory; it recovers from its commit log and its replicas).")
        String kill;

        @Option(names = "--every", defaultValue = "10", description = "Seconds between kills. Default: ${DEFAULT-VALUE}.")
        double every;

        /** The kill named, or {@link Kill#NONE}. */
        Kill kind() {
            return kill == null ? Kill.NONE : Kill.parse(kill);
        }

        Duration every() {
            return Measurement.seconds(every);
        }
    }

    /** {@code --soak}, {@code --interval}: a long run at saturation, printed interval by interval. */
    static final class Soak {
        @Option(names = "--soak", description = "Run this many minutes at saturation with the faults on (first workload, first"
                + " backend), print throughput per interval, the checks at the end and the Java processes' heap after GC at start"
                + " and end.")
        Double soakMinutes;

        @Option(names = "--interval", defaultValue = "10", description = "Soak: seconds per printed interval. Default: ${DEFAULT-VALUE}.")
        double interval;

        /** True when a soak was asked for; then refuses a length or an interval that is not positive. */
        boolean asked() {
            if (soakMinutes != null && (!(soakMinutes > 0) || !(interval > 0))) {
                throw new IllegalArgumentException("--soak and --interval must be positive");
            }
            return soakMinutes != null;
        }

        Duration length() {
            return Measurement.seconds(soakMinutes * 60);
        }

        Duration interval() {
            return Measurement.seconds(interval);
        }
    }
}
