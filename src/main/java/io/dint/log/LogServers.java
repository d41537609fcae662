package io.dint.log;

import io.dint.backend.Backend;
import io.dint.backend.Frontend;
import io.dint.server.ServiceServer;
import io.dint.server.XdpServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * The commit-log service's server on any backend: appended to rings in the kernel (xdp: pinned
 * BPF maps) or in Java (udp, afxdp: rings in /dev/shm, one per serving thread), drained to the
 * log file either way.
 */
public final class LogServers {
    private LogServers() {}

    /**
     * A log server on {@code front}'s backend keeping its log as {@code log} says ({@code log.file()}
     * given); rings a crashed predecessor of the same ring name left are drained first. What it
     * reports when ready goes into {@code ready}.
     */
    public static ServiceServer create(Frontend front, LogSettings log, Map<String, Object> ready) {
        RingStorage storage;
        Function<LogRings, ServiceServer> server;
        if (front.backend() == Backend.XDP) {
            Path pins = LogObject.pinDir(log.ring());
            LogObject obj = LogObject.load(log.ringSlots(), front.mac(), front.allow(), pins);
            try {
                storage = obj.rings(pins);
            } catch (RuntimeException e) {
                obj.close();
                throw e;
            }
            server = rings -> new XdpServer(obj, front.iface(), Map::of);
        } else {
            storage = log.shmRings(front.javaThreads());
            server = rings -> front.java(new LogService(rings));
        }
        LogFile file = LogSettings.open(log.file(), storage);
        ready.put("log_file", file.path().toString());
        ready.put("file_records_at_start", file.recoveredRecords());
        ready.put("torn_bytes_cut", file.truncatedBytes());
        ready.put("rings", storage.location());
        LogServer s = log.server(storage, file, server);
        ready.put("recovered_records", s.recovered());
        return s;
    }
}
