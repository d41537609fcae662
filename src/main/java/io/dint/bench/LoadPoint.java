package io.dint.bench;

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
        long protocolErrors) {
}
