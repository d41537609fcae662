package io.dint.kv;

import io.dint.backend.Backend;
import io.dint.backend.Frontend;
import io.dint.server.ServiceServer;
import java.util.Map;

/**
 * The KV store's server on any backend: the write-back cache in the kernel over the Java store
 * (xdp), the Java store alone (udp, afxdp), or Debian's memcached loaded with the same keys.
 */
public final class KvServers {
    private KvServers() {}

    /** A KV server of {@code kv} on {@code front}'s backend; what it reports when ready goes into {@code ready}. */
    public static ServiceServer create(Frontend front, KvSettings kv, Map<String, Object> ready) {
        if (front.backend() == Backend.MEMCACHED) {
            if (front.allow().configured()) {
                throw new IllegalArgumentException("--allow is not available with the memcached backend: memcached has no "
                        + "allowlist (limit who reaches it with a firewall instead)");
            }
            MemcachedServer m = new MemcachedServer(kv.data(), front.threads());
            ready.put("keys", kv.data().count());
            ready.put("port", MemcachedServer.PORT);
            return m;
        }
        KvStore store = kv.data().load(kv.cacheRatio());
        ready.put("keys", store.size());
        ready.put("key_universe", kv.data().universe());
        ready.put("buckets", store.buckets());
        ready.put("store_bytes", store.bytesUsed());
        if (front.backend() == Backend.XDP) {
            ready.put("cache", kv.policy().id());
            ready.put("cache_ratio", kv.cacheRatio());
        }
        return front.server(() -> new KvXdpServer(store, kv.policy(), kv.leaseNanos(), front.iface(), front.allow(), front.threads(),
                kv.dropSlowReplies()), () -> new KvService(store));
    }
}
