/**
 * The client side every service shares: batched datagram I/O behind {@link
 * io.dint.client.Transport} (kernel UDP sockets in {@link io.dint.client.UdpTransport}, AF_XDP in
 * {@code io.dint.xsk}), and the loop of every load generator, {@link io.dint.client.InflightLoop}:
 * {@code inflight} slots, each with one request outstanding, resent on timeout, replies matched to
 * their slots and latencies recorded in {@link io.dint.client.ClientStats} without allocating.
 * {@link io.dint.client.PipelinedClient} runs transactions of DINT requests on that loop, replies
 * matched by {@code (client_id, seq)}; each service's client is a subclass.
 *
 * <p>Start with: {@link io.dint.client.Transport}, {@link io.dint.client.InflightLoop}, {@link
 * io.dint.client.PipelinedClient}.
 *
 * <p>May use: {@code io.dint.wire}, {@code io.dint.net}.
 */
package io.dint.client;
