package io.dint.cli;

import io.dint.lock.LockObjects;
import io.dint.lock.LockTable;
import io.dint.net.Ipv4;
import io.dint.server.ServerControl;
import io.dint.server.ServiceServer;
import io.dint.server.UdpServer;
import io.dint.server.XdpServer;
import io.dint.wire.Wire;
import io.dint.xsk.AfXdpServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs one service on this host with the chosen backend, controlled over stdin/stdout. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a DINT service on this host (the local cluster runs one per server namespace).")
final class ServeCommand implements Callable<Integer> {
    enum Service { lock2pl }

    @Option(names = "--service", required = true, description = "Service: ${COMPLETION-CANDIDATES}.")
    Service service;

    @Option(names = "--backend", defaultValue = "xdp", description = "xdp (in-kernel fast path), udp (Java over kernel UDP) or afxdp (Java over AF_XDP, one busy-polling thread). Default: ${DEFAULT-VALUE}.",
            converter = BackendConverter.class)
    Backend backend;

    @Option(names = "--iface", defaultValue = "eth0", description = "Interface the XDP program (xdp, afxdp) attaches to. Default: ${DEFAULT-VALUE}.")
    String iface;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "IPv4 address the UDP backend binds. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--threads", defaultValue = "2", description = "Server threads of the UDP backend. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--lock-ids", defaultValue = "1000000", description = "Distinct lock ids; the table holds 1.5x as many entries. Default: ${DEFAULT-VALUE}.")
    long lockIds;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("service", service.name());
        ready.put("backend", backend.id());
        ServiceServer server = switch (service) {
            case lock2pl -> lock2pl(ready);
        };
        ready.put("pid", ProcessHandle.current().pid());
        ServerControl.run(server, ready);
        return 0;
    }

    private ServiceServer lock2pl(Map<String, Object> ready) {
        int tableSize = LockTable.sizeFor(lockIds);
        ready.put("lock_table_entries", tableSize);
        return switch (backend) {
            case XDP -> new XdpServer(LockObjects.load(tableSize, XdpServer.interfaceMac(iface)), LockObjects.PROGRAM, iface, LockObjects::check);
            case UDP -> new UdpServer(new LockTable(tableSize), Ipv4.parse(bind), Wire.PORT, threads);
            case AFXDP -> new AfXdpServer(new LockTable(tableSize), iface, Wire.PORT);
        };
    }
}
