package io.dint.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Busy and total CPU time, from {@code /proc/stat}, of the whole machine ({@link #read()}) or of some
 * of its CPUs ({@link #perCpu()}, {@link #sum}). Busy is user, nice, system, irq, softirq and steal —
 * everything but idle and iowait; XDP runs in softirq, so it is counted here and nowhere else. Total
 * is those and idle and iowait. This is the one reader of {@code /proc/stat}.
 */
public record MachineCpu(long busyMicros, long totalMicros) {
    private static final long MICROS_PER_TICK = 1_000_000 / 100; // USER_HZ is 100 on Linux
    /** user nice system idle iowait irq softirq steal: the fields after the name that count; guest time is in user already. */
    private static final int FIELDS = 8;
    private static final int IDLE = 4, IOWAIT = 5;

    /** The whole machine: all CPUs together (the {@code cpu} line). */
    public static MachineCpu read() {
        return parse(lines().getFirst());
    }

    /** Each CPU (the {@code cpuN} lines), indexed by CPU number; null where a CPU has no line. */
    static MachineCpu[] perCpu() {
        List<String> cpuLines = lines().stream().filter(l -> l.startsWith("cpu") && !l.startsWith("cpu ")).toList();
        int max = -1;
        for (String l : cpuLines) {
            max = Math.max(max, cpuNumber(l));
        }
        MachineCpu[] out = new MachineCpu[max + 1];
        for (String l : cpuLines) {
            out[cpuNumber(l)] = parse(l);
        }
        return out;
    }

    /** The CPUs {@code which} of {@link #perCpu()} together; CPUs without a line count nothing. */
    static MachineCpu sum(MachineCpu[] cpus, List<Integer> which) {
        long busy = 0, total = 0;
        for (int c : which) {
            if (c >= 0 && c < cpus.length && cpus[c] != null) {
                busy += cpus[c].busyMicros;
                total += cpus[c].totalMicros;
            }
        }
        return new MachineCpu(busy, total);
    }

    public MachineCpu minus(MachineCpu earlier) {
        return new MachineCpu(busyMicros - earlier.busyMicros, totalMicros - earlier.totalMicros);
    }

    /** One {@code cpu...} line: {@code cpu3 user nice system idle iowait irq softirq steal guest guest_nice}. */
    static MachineCpu parse(String line) {
        String[] f = line.trim().split("\\s+");
        long busy = 0, total = 0;
        for (int i = 1; i < f.length && i <= FIELDS; i++) {
            long v = Long.parseLong(f[i]);
            total += v;
            if (i != IDLE && i != IOWAIT) {
                busy += v;
            }
        }
        return new MachineCpu(busy * MICROS_PER_TICK, total * MICROS_PER_TICK);
    }

    private static int cpuNumber(String line) {
        return Integer.parseInt(line.substring(3, line.indexOf(' ')));
    }

    private static List<String> lines() {
        try {
            return Files.readAllLines(Path.of("/proc/stat"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }
}
