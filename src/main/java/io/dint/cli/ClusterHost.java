package io.dint.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --cluster FILE --host NAME}: this host as one of a cluster file's hosts (serve: a server; bench, example: a client). */
final class ClusterHost {
    @Option(names = "--cluster", paramLabel = "FILE", description = "A cluster file (TOML). serve: serve its [service] with its"
            + " options as its server --host, on that host's interface and CPUs, with the control endpoint at the host's control"
            + " address; options given here as well override the file's. bench, example: this host is one of its client hosts,"
            + " and its servers were started from it (dint serve --cluster FILE --host NAME).")
    Path file;

    @Option(names = "--host", paramLabel = "NAME", description = "With --cluster: this host's name in the file. serve needs it;"
            + " bench and example default to the client host whose address is on this machine.")
    String name;
}
