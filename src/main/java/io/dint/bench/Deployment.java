package io.dint.bench;

import io.dint.backend.Backend;
import io.dint.cluster.Host;
import io.dint.server.ServerHandle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Servers started elsewhere — each on its own host, from a cluster file — and this host as their
 * client: what a bench drives instead of a local cluster it starts itself. The servers run one
 * backend, so a run over a deployment compares nothing: it measures that backend.
 *
 * @param origin  the cluster file, for the results and messages
 * @param backend the backend its servers run
 * @param client  this host as the file describes it (its namespace when it is a local cluster's)
 * @param servers the server hosts in shard order, as seen from the client (addresses, MACs)
 * @param handles their control endpoints, in the same order
 */
public record Deployment(String origin, Backend backend, Host client, List<Host> servers, List<ServerHandle> handles) {
    public Deployment {
        servers = List.copyOf(servers);
        handles = List.copyOf(handles);
        if (servers.size() != handles.size() || servers.isEmpty()) {
            throw new IllegalArgumentException("a deployment needs a handle per server, got " + servers.size() + " servers and "
                    + handles.size() + " handles");
        }
    }

    /** Server {@code i}'s handle, when the bench asks for the backend the deployment runs. */
    ServerHandle server(int i, Backend asked) {
        requireBackend(asked);
        return handles.get(i);
    }

    /** Every server's handle, when the bench asks for the backend the deployment runs. */
    List<ServerHandle> handles(Backend asked) {
        requireBackend(asked);
        return handles;
    }

    private void requireBackend(Backend asked) {
        if (asked != backend) {
            throw new IllegalArgumentException("the servers of " + origin + " run the " + backend + " backend, not " + asked);
        }
    }

    /** What the results record of the deployment. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster_file", origin);
        m.put("backend", backend.id());
        m.put("client_host", client.name() + " " + client.address());
        m.put("server_hosts", servers.stream().map(h -> h.name() + " " + h.address()).toList());
        return m;
    }
}
