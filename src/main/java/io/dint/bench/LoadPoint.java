package io.dint.bench;

import io.dint.client.ClientStats;

/**
 * One measured point of a load sweep: the client's shape and what was measured in the window.
 * Rates are per second of the window; latencies in microseconds; CPU in microseconds per request.
 */
public record LoadPoint(
        String backend,
        int clientThreads,
        int inflightPerThread,
        double seconds,
        double requestsPerS,
        double repliesPerS,
        double txnPerS,
        double goodputRequestsPerS,
        double abortRate,
        double p50Us,
        double p99Us,
        double p999Us,
        double txnP50Us,
        double txnP99Us,
        double machineCpuUsPerRequest,
        double clientCpuUsPerRequest,
        double clientCpuShare,
        double machineBusyShare,
        double xdpNsPerRequest,
        long timeouts,
        long retries,
        long stale,
        long protocolErrors,
        double clientUserCpuUsPerRequest,
        double serverCoreUsPerRequest,
        double clientCoreUsPerRequest,
        double serverCoreBusyShare,
        double clientCoreBusyShare,
        String wall) {

    /** The point measured by one load window. */
    public static LoadPoint of(String backend, MicroBench.Shape shape, LoadRunner.Measurement m) {
        double s = m.seconds();
        long requests = m.counter(ClientStats.REQUESTS);
        long replies = m.counter(ClientStats.REPLIES);
        long committed = m.counter(ClientStats.COMMITTED);
        long aborted = m.counter(ClientStats.ABORTED);
        long xdpRuns = m.serverDelta("xdp_run_count");
        double xdpNs = xdpRuns > 0 ? (double) m.serverDelta("xdp_run_time_ns") / xdpRuns : Double.NaN;
        long busy = m.machine().busyMicros();
        return new LoadPoint(backend, shape.threads(), shape.inflight(), s,
                requests / s, replies / s, committed / s, m.counter(ClientStats.GOOD_REQUESTS) / s,
                committed + aborted == 0 ? 0 : (double) aborted / (committed + aborted),
                m.requestLatency().getValueAtPercentile(50) / 1e3,
                m.requestLatency().getValueAtPercentile(99) / 1e3,
                m.requestLatency().getValueAtPercentile(99.9) / 1e3,
                m.txnLatency().getValueAtPercentile(50) / 1e3,
                m.txnLatency().getValueAtPercentile(99) / 1e3,
                replies == 0 ? Double.NaN : (double) busy / replies,
                replies == 0 ? Double.NaN : m.clientCpuNanos() / 1e3 / replies,
                busy == 0 ? 0 : m.clientCpuNanos() / 1e3 / busy,
                m.machine().totalMicros() == 0 ? 0 : (double) busy / m.machine().totalMicros(),
                xdpNs,
                m.counter(ClientStats.TIMEOUTS), m.counter(ClientStats.RETRIES), m.counter(ClientStats.STALE),
                m.counter(ClientStats.PROTOCOL_ERRORS),
                replies == 0 ? Double.NaN : m.clientUserCpuNanos() / 1e3 / replies,
                replies == 0 || m.cores().serverTotal() == 0 ? Double.NaN : (double) m.cores().serverBusy() / replies,
                replies == 0 || m.cores().clientTotal() == 0 ? Double.NaN : (double) m.cores().clientBusy() / replies,
                m.cores().serverShare(), m.cores().clientShare(), wall(m.cores()));
    }

    /** Which side's CPUs were the wall: {@code server}, {@code client}, {@code both}, or {@code none}. */
    static String wall(CoreTimes c) {
        boolean s = c.serverShare() >= CoreTimes.SATURATED, k = c.clientShare() >= CoreTimes.SATURATED;
        return s && k ? "both" : s ? "server" : k ? "client" : "none";
    }

    /** One second of a server CPU over the server CPU time a request took: requests per core-second. */
    public double perCoreRequestsPerS() {
        return 1e6 / serverCoreUsPerRequest;
    }

    /**
     * True when this point's throughput is the server's capacity: its CPUs were saturated while
     * the client's were not. A backend that busy-polls ({@code busyPolls}) is always 100% busy, so
     * for it only the client not being the wall says so.
     */
    public boolean serverSaturated(boolean busyPolls) {
        boolean clientFree = !(clientCoreBusyShare >= CoreTimes.SATURATED);
        return clientFree && (busyPolls || serverCoreBusyShare >= CoreTimes.SATURATED);
    }
}
