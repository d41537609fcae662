package io.dint.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Busy CPU time of the whole machine, all CPUs, from {@code /proc/stat}: user, nice, system, irq,
 * softirq and steal — everything but idle and iowait. XDP runs in softirq, so it is counted here
 * and nowhere else.
 */
public record MachineCpu(long busyMicros, long totalMicros) {
    private static final long MICROS_PER_TICK = 1_000_000 / 100; // USER_HZ is 100 on Linux

    public static MachineCpu read() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = cpu.trim().split("\\s+");
            long busy = 0, total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i != 4 && i != 5) { // idle, iowait
                    busy += v;
                }
            }
            return new MachineCpu(busy * MICROS_PER_TICK, total * MICROS_PER_TICK);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }

    public MachineCpu minus(MachineCpu earlier) {
        return new MachineCpu(busyMicros - earlier.busyMicros, totalMicros - earlier.totalMicros);
    }
}
