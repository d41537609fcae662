package io.dint.cli;

import io.dint.backend.Backend;
import picocli.CommandLine.Option;

/** {@code --backend}: how the servers a command starts answer. */
final class BackendOption {
    @Option(names = "--backend", defaultValue = "xdp", converter = Converters.ToBackend.class,
            description = "xdp (in-kernel fast path), udp (Java over kernel UDP), afxdp (Java over AF_XDP, one busy-polling thread)"
                    + " or, for kv, memcached (Debian's, UDP on). Default: ${DEFAULT-VALUE}.")
    Backend backend;
}
