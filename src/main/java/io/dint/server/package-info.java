/**
 * The server side every service shares: the backends. A service written once in Java is a {@link
 * io.dint.server.DatagramService} (a request datagram in, its reply written over it); {@link
 * io.dint.server.UdpServer} serves one over kernel UDP sockets (the {@code udp} backend); {@link
 * io.dint.server.XdpServer} runs a service's XDP program on an interface and reads its counters
 * from the kernel (the {@code xdp} backend); {@link io.dint.server.SlowPathXdpServer} adds the TC
 * egress program and the UDP slow path of a service with an in-kernel cache. Both take a service's
 * object typed ({@link io.dint.server.ServiceObject}, {@link io.dint.server.SlowPathObject}), loaded
 * from {@link io.dint.server.ServiceObject#spec}: its {@code dint_cfg} written and its allowlist filled. The user-space twins of
 * kernel tables live here too — {@link io.dint.server.SpinTable} (a {@code DINT_TABLE} with its spin
 * words) and {@link io.dint.server.Dedup} (the dedup window) — and the client filter {@link
 * io.dint.server.Allowlist}. A serving process is controlled over stdin/stdout or HTTP ({@link
 * io.dint.server.ServerControl}, {@link io.dint.server.ControlEndpoint}, {@link
 * io.dint.server.ServerMetrics}); whoever drives it holds a {@link io.dint.server.ServerHandle}
 * ({@link io.dint.server.ServerProcess} for a child, {@link io.dint.server.ControlClient} for a
 * server started elsewhere).
 *
 * <p>Start with: {@link io.dint.server.DatagramService}, {@link io.dint.server.UdpServer}, {@link
 * io.dint.server.XdpServer}.
 *
 * <p>May use: {@code io.dint.wire}, {@code io.dint.bpf}, {@code io.dint.net}. It knows no service:
 * the service packages ({@code lock}, {@code occ}, {@code log}, {@code kv}, {@code shard}) and the
 * {@code afxdp} backend ({@code xsk}) build on it.
 */
package io.dint.server;
