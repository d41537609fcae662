package io.dint.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A server's control endpoint: HTTP on an address and port of the operator's choosing, apart from
 * the service's UDP port, answered by one thread of its own (never a server thread, so the hot
 * path does not see it).
 *
 * <ul>
 *   <li>{@code GET /ready} — 200 and what the server reported once serving (service, backend,
 *       pid, scale); 503 while it is still starting (loading its data set)</li>
 *   <li>{@code GET /stats} — 200 and the counters as JSON ({@link ServiceServer#stats()})</li>
 *   <li>{@code GET /check} — 200 and the state at quiescence as JSON ({@link ServiceServer#check()})</li>
 *   <li>{@code GET /metrics} — the counters in the Prometheus text format ({@link ServerMetrics})</li>
 * </ul>
 *
 * It binds as soon as it is started, before the server exists, so that a client can tell a server
 * that is loading (503) from one that is not there (connection refused).
 */
public final class ControlEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";

    private final HttpServer http;
    private final ExecutorService executor;
    private final PrometheusRegistry metrics = new PrometheusRegistry();
    private final PrometheusTextFormatWriter text = new PrometheusTextFormatWriter(false);
    private volatile ServerControl control;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private ControlEndpoint(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
        metrics.register(new ServerMetrics(() -> control));
    }

    /** Binds {@code address} and starts answering (503 until {@link #serve}). */
    public static ControlEndpoint start(InetSocketAddress address) {
        HttpServer http;
        try {
            http = HttpServer.create(address, 16);
        } catch (BindException e) {
            throw new IllegalArgumentException("cannot bind the control endpoint to " + address.getHostString() + ":"
                    + address.getPort() + ": " + e.getMessage() + " (is the address on this host, and the port free —"
                    + " another dint serve? choose another with --control ADDR:PORT)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the control endpoint on " + address, e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("dint-control").unstarted(r));
        ControlEndpoint endpoint = new ControlEndpoint(http, executor);
        http.setExecutor(executor);
        http.createContext("/", endpoint::handle);
        http.start();
        return endpoint;
    }

    /** The bound address (its port is the real one when started on port 0). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** From now on the endpoint answers for {@code control}'s server. */
    void serve(ServerControl control) {
        this.control = control;
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                send(x, 405, JSON_TYPE, json(Map.of("error", "only GET")));
                return;
            }
            ServerControl c = control;
            String path = x.getRequestURI().getPath();
            switch (path) {
                case "/ready" -> {
                    if (c == null) {
                        send(x, 503, JSON_TYPE, json(Map.of("ready", false, "state", "starting")));
                    } else {
                        send(x, 200, JSON_TYPE, json(c.ready()));
                    }
                }
                case "/stats", "/check" -> {
                    if (c == null) {
                        send(x, 503, JSON_TYPE, json(Map.of("error", "the server is still starting")));
                    } else {
                        send(x, 200, JSON_TYPE, json(path.equals("/stats") ? c.stats() : c.check()));
                    }
                }
                case "/metrics" -> {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    text.write(body, metrics.scrape());
                    send(x, 200, PrometheusTextFormatWriter.CONTENT_TYPE, body.toByteArray());
                }
                case "/" -> send(x, 200, "text/plain; charset=utf-8",
                        "dint server control: /ready /stats /check /metrics\n".getBytes(StandardCharsets.UTF_8));
                default -> send(x, 404, JSON_TYPE, json(Map.of("error", "no " + path + ": use /ready, /stats, /check or /metrics")));
            }
        } catch (RuntimeException e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", String.valueOf(e));
            try {
                send(x, 500, JSON_TYPE, json(m));
            } catch (IOException | RuntimeException ignored) {
                // the response had begun; the client sees a cut answer
            }
        }
    }

    private static byte[] json(Object o) throws IOException {
        return JSON.writeValueAsBytes(o);
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops answering; requests under way are cut. Closing again does nothing. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        control = null;
        http.stop(0);
        executor.shutdownNow();
    }
}
