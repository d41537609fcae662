package io.dint.kv;

import io.dint.bpf.BpfObject;
import io.dint.bpf.NetIf;
import io.dint.bpf.ProgStats;
import io.dint.bpf.TcAttachment;
import io.dint.net.Ipv4;
import io.dint.net.UdpSocket;
import io.dint.server.ServiceServer;
import io.dint.server.UdpServer;
import io.dint.server.XdpServer;
import io.dint.wire.Wire;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The KV store's {@code xdp} backend: the cache program attached to the interface (XDP ingress
 * and TC egress), the cache filled from the store, and the slow path on a UDP socket of the same
 * port. Its counters are the kernel's, plus the slow path's prefixed {@code slow_}.
 */
public final class KvXdpServer implements ServiceServer {
    private final BpfObject object;
    private final UdpServer slowPath;
    private final TcAttachment tc;
    private final XdpServer xdp;

    /**
     * @param store       every key (taken over: closed with the server)
     * @param threads     slow-path threads
     * @param dropReplies slow-path replies to drop, for tests of the lease
     */
    public KvXdpServer(KvStore store, KvPolicy policy, long leaseNanos, String iface, int threads, int dropReplies) {
        int ifindex = NetIf.index(iface);
        BpfObject obj = KvObjects.load(store.buckets(), XdpServer.interfaceMac(iface), policy, leaseNanos);
        UdpServer slow = null;
        TcAttachment egress = null;
        try {
            KvObjects.prewarm(obj, store);
            slow = new UdpServer(new KvSlowPath(store, dropReplies), Ipv4.ANY, Wire.PORT, threads, UdpSocket::disableChecksum);
            egress = obj.program(KvObjects.TC_PROGRAM).attachTcEgress(ifindex);
            this.xdp = new XdpServer(obj, KvObjects.PROGRAM, iface, o -> KvObjects.check(o, store));
        } catch (RuntimeException e) {
            if (egress != null) {
                egress.close();
            }
            if (slow != null) {
                slow.close();
            } else {
                store.close();
            }
            obj.close();
            throw e;
        }
        this.object = obj;
        this.slowPath = slow;
        this.tc = egress;
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>(xdp.stats());
        ProgStats p = object.program(KvObjects.TC_PROGRAM).stats();
        m.put("tc_run_time_ns", p.runTimeNs());
        m.put("tc_run_count", p.runCount());
        slowPath.stats().forEach((k, v) -> m.put("slow_" + k, v));
        return m;
    }

    @Override
    public Map<String, Object> check() {
        return xdp.check();
    }

    @Override
    public void close() {
        xdp.close(); // detaches XDP first: nothing new reaches the slow path
        tc.close();
        slowPath.close();
    }
}
