/**
 * Kernel UDP sockets and network namespaces from Java through the FFM API, without JNI.
 *
 * <p>{@link io.dint.net.UdpSocket} moves datagrams in batches with {@code sendmmsg}/{@code recvmmsg};
 * a {@link io.dint.net.MsgBatch} holds the batch's headers, addresses and payloads in one off-heap block,
 * so servers and load generators answer a request by rewriting its slot in place and allocate nothing
 * per datagram. {@link io.dint.net.NetNs} moves the calling thread into a namespace of the local
 * cluster so that sockets opened there belong to that host. libc is bound by hand in {@code Libc};
 * addresses are host-order {@code int}s ({@link io.dint.net.Ipv4}).
 */
package io.dint.net;
