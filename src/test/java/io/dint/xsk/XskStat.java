package io.dint.xsk;

import io.dint.bpf.BpfObject;

/**
 * The redirect program's counters (its per-CPU map {@code xsk_stats}), by index, named as
 * {@link XskRedirect#STATS} reports them ({@link XskRedirectXdpTest} checks the two agree).
 */
enum XskStat {
    RX, REDIRECT, PASS, NO_SOCKET;

    /** The map the redirect program counts in. */
    static final String MAP = "xsk_stats";

    /** This counter of {@code redirect}'s object now, summed over CPUs. */
    long in(BpfObject redirect) {
        return redirect.map(MAP).sumPerCpuLong(ordinal());
    }

    /** The name {@link XskRedirect#STATS} gives it. */
    String reported() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
