package io.dint.bpf;

/** A program's cumulative run time and run count as the kernel keeps them (while stats are on). */
public record ProgStats(long runTimeNs, long runCount) {

    /** Mean nanoseconds per run; NaN before the first counted run. */
    public double nsPerRun() {
        return runCount == 0 ? Double.NaN : (double) runTimeNs / runCount;
    }

    /** What happened since {@code earlier}. */
    public ProgStats minus(ProgStats earlier) {
        return new ProgStats(runTimeNs - earlier.runTimeNs, runCount - earlier.runCount);
    }
}
