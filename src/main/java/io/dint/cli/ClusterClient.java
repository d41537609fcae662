package io.dint.cli;

import io.dint.cluster.ClusterFile;
import io.dint.cluster.Host;
import io.dint.server.ControlClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options and first steps of a command run on a client host of a cluster file ({@code bench
 * --cluster}, {@code example}): find this host in the file, add the neighbour entries the file
 * asks for, wait for every server's control endpoint to say it is ready and check it serves what
 * the file says.
 */
final class ClusterClient {
    @Mixin
    ClusterHost host = new ClusterHost();

    @Option(names = "--ready-timeout", defaultValue = "60", description = "With --cluster: seconds to wait for every server's"
            + " control endpoint to say it is ready. Default: ${DEFAULT-VALUE}.")
    double readyTimeout;

    /** The cluster file given, or null. */
    Path file() {
        return host.file;
    }

    /** This client host of {@code file} and the file's servers, every one ready; close to let them go. */
    record Connected(ClusterFile file, ClusterFile.Entry me, Host here, List<ControlClient> servers) implements AutoCloseable {
        @Override
        public void close() {
            servers.forEach(ControlClient::close);
        }
    }

    /**
     * Finds this host in {@code file}, adds its neighbour entries, and waits for each server to be
     * ready, serving the file's service and backend.
     */
    Connected connect(ClusterFile file) {
        ClusterFile.Entry me = file.thisHost(ClusterFile.Role.CLIENT, host.name);
        Host here = file.local(me, false);
        file.addNeighbours(here);
        List<ControlClient> servers = new ArrayList<>();
        try {
            for (ClusterFile.Entry s : file.servers()) {
                ControlClient c = ControlClient.await(s.name(), s.control(), here.netns(), Duration.ofMillis(Math.round(readyTimeout * 1000)));
                servers.add(c);
                if (!Objects.equals(c.ready().get("service"), file.service().name())
                        || !Objects.equals(c.ready().get("backend"), file.service().backend())) {
                    throw new IllegalStateException("server " + s.name() + " serves " + c.ready().get("service") + " on "
                            + c.ready().get("backend") + ", but " + file.origin() + " says " + file.service().name() + " on "
                            + file.service().backend() + ": restart it from this file");
                }
            }
        } catch (RuntimeException e) {
            servers.forEach(ControlClient::close);
            throw e;
        }
        return new Connected(file, me, here, servers);
    }
}
