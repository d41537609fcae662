package io.dint.occ;

import io.dint.backend.Frontend;
import io.dint.lock.LockTable;
import io.dint.server.ServiceServer;
import io.dint.server.XdpServer;
import java.util.Map;

/** The OCC lock + version service's server on any backend: the table in the kernel (xdp) or in Java. */
public final class OccServers {
    private OccServers() {}

    /**
     * A server of an OCC table for {@code keys} distinct keys (1.5x as many entries, as a lock
     * table) on {@code front}'s backend; what it reports when ready goes into {@code ready}.
     */
    public static ServiceServer create(Frontend front, long keys, Map<String, Object> ready) {
        int entries = LockTable.sizeFor(keys);
        ready.put("occ_table_entries", entries);
        return front.server(() -> {
            OccObject o = OccObject.load(entries, front.mac(), front.allow());
            return new XdpServer(o, front.iface(), o::check);
        }, () -> new OccTable(entries));
    }
}
