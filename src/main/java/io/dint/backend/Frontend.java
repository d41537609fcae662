package io.dint.backend;

import io.dint.server.Allowlist;
import io.dint.server.DatagramService;
import io.dint.server.ServiceServer;
import io.dint.server.UdpServer;
import io.dint.server.XdpServer;
import io.dint.wire.Wire;
import io.dint.xsk.AfXdpServer;
import java.util.function.Supplier;

/**
 * Where and for whom a server answers, whatever its service: its backend, the interface its XDP
 * program or AF_XDP sockets attach to, the address the UDP backend binds, its serving threads (the
 * UDP backend's, or the slow path's of an in-kernel one) and the clients it serves. Every server
 * listens on {@link Wire#PORT}.
 *
 * @param backend       how the server answers
 * @param iface         the interface of the xdp and afxdp backends (e.g. {@code eth0})
 * @param bindAddress   the IPv4 address the udp backend binds (host order; 0 for every address)
 * @param threads       serving threads of the udp backend and of an xdp server's slow path
 * @param allow         the sources served; others are dropped and counted
 */
public record Frontend(Backend backend, String iface, int bindAddress, int threads, Allowlist allow) {
    /**
     * The server of a service whose xdp backend is {@code xdp} and whose Java backends serve
     * {@code java}: only the one the backend needs is made.
     */
    public ServiceServer server(Supplier<? extends ServiceServer> xdp, Supplier<? extends DatagramService> java) {
        return backend == Backend.XDP ? xdp.get() : java(java.get());
    }

    /**
     * {@code service} served in Java: over kernel UDP by {@link #threads} threads, or over AF_XDP by
     * one busy-polling thread. The one place that picks a Java backend's server.
     */
    public ServiceServer java(DatagramService service) {
        return switch (backend) {
            case UDP -> new UdpServer(service, bindAddress, Wire.PORT, threads, allow);
            case AFXDP -> new AfXdpServer(service, iface, Wire.PORT, allow);
            case XDP, MEMCACHED -> throw new IllegalArgumentException("the " + backend.id() + " backend does not serve a Java service");
        };
    }

    /** Threads that serve in Java, each with a ring of its own where the service keeps one: udp's, or afxdp's one. */
    public int javaThreads() {
        return backend == Backend.AFXDP ? 1 : threads;
    }

    /** The MAC address of {@link #iface}, which an XDP program answers from. */
    public byte[] mac() {
        return XdpServer.interfaceMac(iface);
    }
}
