package io.dint.kv;

import io.dint.server.Allowlist;
import io.dint.server.ForwardingServer;
import io.dint.server.ServiceServer;
import io.dint.server.SlowPathXdpServer;
import io.dint.server.XdpServer;

/**
 * The KV store's {@code xdp} backend: the cache program attached to the interface (XDP ingress
 * and TC egress), the cache filled from the store, and the slow path on a UDP socket of the same
 * port. Its counters are the kernel's, plus the slow path's prefixed {@code slow_}.
 */
public final class KvXdpServer implements ForwardingServer {
    private final SlowPathXdpServer server;

    /**
     * @param store       every key (taken over: closed with the server)
     * @param allow       the clients served
     * @param threads     slow-path threads
     * @param dropReplies slow-path replies to drop, for tests of the lease
     */
    public KvXdpServer(KvStore store, KvPolicy policy, long leaseNanos, String iface, Allowlist allow, int threads,
                       int dropReplies) {
        KvObject obj;
        KvSlowPath slow;
        try {
            obj = KvObject.load(store.buckets(), XdpServer.interfaceMac(iface), allow, policy, leaseNanos);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        try {
            obj.prewarm(store);
            slow = new KvSlowPath(store, dropReplies);
        } catch (RuntimeException e) {
            obj.close();
            store.close();
            throw e;
        }
        this.server = new SlowPathXdpServer(obj, iface, slow, threads, allow, () -> obj.check(store));
    }

    @Override
    public ServiceServer inner() {
        return server;
    }
}
