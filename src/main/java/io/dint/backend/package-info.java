/**
 * How a server is served, whatever its service: the {@link io.dint.backend.Backend} kinds (xdp,
 * udp, afxdp, memcached), used alike by the servers, the benchmarks and the command line, and the
 * {@link io.dint.backend.Frontend} every backend's server takes to meet its clients (interface,
 * address, threads, allowlist). The Java backends of every service are built in one place,
 * {@link io.dint.backend.Frontend#java}; each service package assembles its own servers from a
 * frontend and its settings (e.g. {@code io.dint.lock.LockServers}).
 *
 * <p>May use {@code server}, {@code xsk} and {@code wire}; the service packages, {@code bench}
 * and {@code cli} use it.
 */
package io.dint.backend;
