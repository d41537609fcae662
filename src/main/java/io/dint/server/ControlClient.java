package io.dint.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dint.net.NetNs;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A server started elsewhere ({@code dint serve --control ADDR:PORT}, or {@code --cluster} on its
 * own host), reached through its {@link ControlEndpoint}. Every error names the server and the
 * endpoint. Requests go out from one thread of this client's own, which enters the client host's
 * network namespace first when there is one (a local cluster).
 */
public final class ControlClient implements ServerHandle {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    /** A check waits for a log to drain and scans the whole store. */
    private static final int READ_TIMEOUT_MILLIS = 120_000;
    private static final long POLL_MILLIS = 200;

    private final String name;
    private final InetSocketAddress endpoint;
    private final ExecutorService thread;
    private Map<String, Object> ready;

    private ControlClient(String name, InetSocketAddress endpoint, String netns) {
        this.name = name;
        this.endpoint = endpoint;
        this.thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("dint-control-" + name).unstarted(() -> {
            if (netns != null) {
                NetNs.enter(netns);
            }
            r.run();
        }));
    }

    /**
     * Waits until server {@code name}'s endpoint says it is ready, for at most {@code timeout};
     * {@code netns} is the namespace to reach it from (null: this process's).
     *
     * @throws IllegalStateException naming the server, its endpoint and what was last seen
     *         (connection refused, no route, timed out, still starting)
     */
    public static ControlClient await(String name, InetSocketAddress endpoint, String netns, Duration timeout) {
        ControlClient c = new ControlClient(name, endpoint, netns);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last;
        for (;;) {
            try {
                Response r = c.get("/ready");
                if (r.status() == 200) {
                    c.ready = c.parse("/ready", r.body());
                    return c;
                }
                last = r.status() == 503 ? "still starting (503)" : "HTTP " + r.status() + ": " + r.body();
            } catch (Unreachable e) {
                last = e.getMessage(); // a server being started may not listen yet: keep trying until the deadline
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                c.close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for server " + name, e);
            }
        }
        c.close();
        throw new IllegalStateException("server " + name + " is not ready: its control endpoint http://" + where(endpoint)
                + "/ready gave no answer within " + timeout.toMillis() / 1000.0 + " s (last: " + last + "). Is `dint serve"
                + " --cluster FILE --host " + name + "` running on that host, and is " + where(endpoint) + " reachable from here?");
    }

    private static String where(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /** The server's name (its host's, in a cluster file). */
    public String name() {
        return name;
    }

    @Override
    public Map<String, Object> ready() {
        return ready;
    }

    @Override
    public Map<String, Object> stats() {
        return json("/stats");
    }

    @Override
    public Map<String, Object> check() {
        return json("/check");
    }

    /** The Prometheus text of {@code /metrics}. */
    public String metrics() {
        Response r = getOrFail("/metrics");
        return r.body();
    }

    private Map<String, Object> json(String path) {
        return parse(path, getOrFail(path).body());
    }

    private Response getOrFail(String path) {
        Response r;
        try {
            r = get(path);
        } catch (Unreachable e) {
            throw new IllegalStateException("server " + name + ": " + e.getMessage(), e);
        }
        if (r.status() != 200) {
            throw new IllegalStateException("server " + name + ": http://" + where(endpoint) + path + " answered HTTP " + r.status()
                    + ": " + r.body());
        }
        return r;
    }

    private Map<String, Object> parse(String path, String body) {
        try {
            return JSON.readValue(body, MAP);
        } catch (IOException e) {
            throw new IllegalStateException("server " + name + ": http://" + where(endpoint) + path + " is not JSON: " + body, e);
        }
    }

    private record Response(int status, String body) {}

    /** The endpoint could not be reached at all. */
    private static final class Unreachable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Response get(String path) {
        Future<Response> f = thread.submit(() -> {
            URI uri = URI.create("http://" + where(endpoint) + path);
            HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection(java.net.Proxy.NO_PROXY);
            http.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            http.setReadTimeout(READ_TIMEOUT_MILLIS);
            try {
                int status = http.getResponseCode();
                InputStream in = status >= 400 ? http.getErrorStream() : http.getInputStream();
                String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return new Response(status, body);
            } catch (ConnectException | NoRouteToHostException e) {
                throw new Unreachable("cannot connect to its control endpoint " + where(endpoint) + ": " + e.getMessage(), e);
            } catch (SocketTimeoutException e) {
                throw new Unreachable("its control endpoint " + where(endpoint) + " did not answer: " + e.getMessage(), e);
            } finally {
                http.disconnect();
            }
        });
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Unreachable u) {
                throw u;
            }
            throw new Unreachable("cannot reach its control endpoint " + where(endpoint) + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking server " + name + " for " + path, e);
        }
    }

    /** Stops this client's thread; the server goes on. */
    @Override
    public void close() {
        thread.shutdownNow();
    }

    @Override
    public String toString() {
        return "ControlClient[" + name + " at " + where(endpoint) + "]";
    }
}
