package io.dint.cli;

import io.dint.backend.Backend;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --backends}: the backends a run compares, each in turn on the same servers' hosts. */
final class BackendsOption {
    @Option(names = "--backends", split = ",", converter = Converters.ToBackend.class, paramLabel = "BACKEND",
            description = "Backends to compare. Default: xdp,afxdp,udp (bench kv: and memcached; bench kv-ablation runs xdp only).")
    List<Backend> given;

    /** The backends given, or by default every one {@code what} offers; one it does not offer is refused. */
    List<Backend> chosen(String what, List<Backend> offered) {
        List<Backend> chosen = given == null ? offered : given;
        for (Backend b : chosen) {
            if (!offered.contains(b)) {
                throw new IllegalArgumentException(what + " has no backend '" + b.id() + "': use some of " + offered);
            }
        }
        return chosen;
    }
}
