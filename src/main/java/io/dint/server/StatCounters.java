package io.dint.server;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.wire.Stat;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The service counters ({@code enum dint_stat}) at one moment, read by {@link Stat} index and
 * never by name: from a loaded object's per-CPU map {@code stats} summed over CPUs
 * ({@link #read(BpfObject)}), from a Java backend's per-thread arrays summed
 * ({@link #of(long[])}), or from the name-keyed map a server reports ({@link #reported(Map)}),
 * which {@link #named()} writes. This class is the one place in Java that knows the map's name
 * and how a counter is named in a report.
 */
public final class StatCounters {
    /** The per-CPU array map every service program counts in ({@code dint_xdp.h}). */
    public static final String MAP = "stats";
    /** The prefix of the slow path's counters in a report of a backend that has one. */
    public static final String SLOW_PATH_PREFIX = "slow_";

    private final long[] sums;

    private StatCounters(long[] sums) {
        this.sums = sums;
    }

    /** Every counter of {@code object}'s {@code stats} map, each summed over the possible CPUs. */
    public static StatCounters read(BpfObject object) {
        BpfMap map = object.map(MAP);
        long[] sums = new long[Stat.MAX];
        for (int i = 0; i < Stat.MAX; i++) {
            sums[i] = map.sumPerCpuLong(i);
        }
        return new StatCounters(sums);
    }

    /** Counter {@code stat} of {@code object}'s {@code stats} map on each possible CPU. */
    public static long[] perCpu(BpfObject object, int stat) {
        return object.map(MAP).perCpuLongs(check(stat));
    }

    /** {@link #perCpu(BpfObject, int)} of every counter that is named or not zero, by name. */
    public static Map<String, long[]> perCpuNamed(BpfObject object) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int i = 0; i < Stat.MAX; i++) {
            long[] v = perCpu(object, i);
            if (Stat.isNamed(i) || Arrays.stream(v).anyMatch(x -> x != 0)) {
                m.put(Stat.name(i), v);
            }
        }
        return m;
    }

    /** A copy of {@code sums}, indexed by {@link Stat} ({@link Stat#MAX} of them), as a Java backend keeps them. */
    public static StatCounters of(long[] sums) {
        if (sums.length != Stat.MAX) {
            throw new IllegalArgumentException("counters are indexed by Stat: " + Stat.MAX + " of them, got " + sums.length);
        }
        return new StatCounters(sums.clone());
    }

    /** The service counters of a server's report ({@link ServerHandle#stats()}). */
    public static StatCounters reported(Map<String, Object> report) {
        return reported(report, "");
    }

    /**
     * The counters of a report whose names start with {@code prefix} ({@link #SLOW_PATH_PREFIX} for a
     * slow path's). A server reports every named counter, so one that is missing means the report
     * is not of a service's counters, and fails here rather than read as 0.
     */
    public static StatCounters reported(Map<String, Object> report, String prefix) {
        long[] sums = new long[Stat.MAX];
        for (int i = 0; i < Stat.MAX; i++) {
            Object v = report.get(prefix + Stat.name(i));
            if (v instanceof Number n) {
                sums[i] = n.longValue();
            } else if (Stat.isNamed(i)) {
                throw new IllegalArgumentException("the report has no counter '" + prefix + Stat.name(i) + "': " + report
                        + ". Pass a server's stats (ServerHandle.stats()), and the slow path's prefix only for a backend with one");
            }
        }
        return new StatCounters(sums);
    }

    /** Counter {@code stat} (a {@link Stat} index). */
    public long get(int stat) {
        return sums[check(stat)];
    }

    /** How much counter {@code stat} grew since {@code before}. */
    public long since(StatCounters before, int stat) {
        return get(stat) - before.get(stat);
    }

    /** Every counter that is named or not zero, by its name, as a server reports them. */
    public Map<String, Object> named() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < Stat.MAX; i++) {
            if (Stat.isNamed(i) || sums[i] != 0) {
                m.put(Stat.name(i), sums[i]);
            }
        }
        return m;
    }

    private static int check(int stat) {
        if (stat < 0 || stat >= Stat.MAX) {
            throw new IllegalArgumentException("no counter " + stat + ": a Stat index is in [0, " + Stat.MAX + ")");
        }
        return stat;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatCounters c && Arrays.equals(sums, c.sums);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sums);
    }

    /** The named-or-non-zero counters, by name: what a failed comparison shows. */
    @Override
    public String toString() {
        return named().toString();
    }
}
