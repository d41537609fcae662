package io.dint.lock;

import io.dint.backend.Frontend;
import io.dint.server.ServiceServer;
import io.dint.server.XdpServer;
import java.util.Map;

/** The 2PL lock service's server on any backend: the lock table in the kernel (xdp) or in Java. */
public final class LockServers {
    private LockServers() {}

    /**
     * A server of a lock table for {@code lockIds} distinct ids (1.5x as many entries) on
     * {@code front}'s backend; what it reports when ready goes into {@code ready}.
     */
    public static ServiceServer create(Frontend front, long lockIds, Map<String, Object> ready) {
        int entries = LockTable.sizeFor(lockIds);
        ready.put("lock_table_entries", entries);
        return front.server(() -> {
            LockObject o = LockObject.load(entries, front.mac(), front.allow());
            return new XdpServer(o, front.iface(), o::check);
        }, () -> new LockTable(entries));
    }
}
