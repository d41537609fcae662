/**
 * AF_XDP, the kernel-bypass transport: {@link io.dint.xsk.AfXdpServer} (the {@code afxdp} backend:
 * a {@link io.dint.server.DatagramService} served with the kernel's IP and UDP stack bypassed, the
 * stand-in for the paper's Caladan and DPDK baselines) and {@link io.dint.xsk.AfXdpTransport} (a
 * {@link io.dint.client.Transport} for every client). Beneath them: {@code XskSocket} with its
 * {@code Umem} and four {@code XskRing}s, the redirect program {@code xsk_redirect.bpf.c} ({@code
 * XskRedirect}), what a bypassing sender must know of an interface ({@code NetLink}), the interface
 * state the clients of one process share ({@code ClientInterface}), frames built and read in place
 * ({@link io.dint.xsk.UdpFrame}), and the kernel's AF_XDP interface ({@code <linux/if_xdp.h>}).
 *
 * <p>Start with: {@link io.dint.xsk.AfXdpServer}, {@link io.dint.xsk.AfXdpTransport}, then {@code
 * XskSocket}.
 *
 * <p>May use: {@code io.dint.wire}, {@code io.dint.bpf}, {@code io.dint.net}, {@code io.dint.sys}
 * (the native binding layer), {@code io.dint.server}, {@code io.dint.client}.
 */
package io.dint.xsk;
