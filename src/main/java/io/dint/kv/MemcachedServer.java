package io.dint.kv;

import io.dint.server.ServiceServer;
import io.dint.wire.Wire;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The KV baseline the paper's KV store is compared with: Debian's memcached, started here with
 * UDP on (port 11211, off by default since 1.5.6) and {@code threads} worker threads, loaded over
 * TCP with the same keys and values as the KV store. Its counters come from memcached's
 * {@code stats}.
 */
public final class MemcachedServer implements ServiceServer {
    private static final Path BINARY = Path.of("/usr/bin/memcached");

    /** memcached's UDP (and TCP) port. */
    public static final int PORT = MemcachedProtocol.PORT;

    private final Process process;
    private final long keys;

    public MemcachedServer(KvDataSet data, int threads) {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("memcached is not installed (" + BINARY + "): apt-get install memcached (./dint installs it)");
        }
        long megabytes = megabytesFor(data.count());
        try {
            process = new ProcessBuilder(BINARY.toString(), "-U", Integer.toString(MemcachedProtocol.PORT),
                    "-p", Integer.toString(MemcachedProtocol.PORT), "-l", "0.0.0.0", "-t", Integer.toString(threads),
                    "-m", Long.toString(megabytes), "-c", "4096", "-u", "root")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
        try {
            this.keys = load(data);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** memcached's memory limit ({@code -m}, MiB) for {@code keys} keys: 256 bytes a key and 64 MiB to spare. */
    public static long megabytesFor(long keys) {
        return Math.max(64, keys * 256 / (1 << 20) + 64);
    }

    private Socket connect() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", MemcachedProtocol.PORT), 1000);
                return s;
            } catch (IOException e) {
                closeQuietly(s);
                if (!process.isAlive()) {
                    throw new IllegalStateException("memcached exited with code " + process.exitValue() + " at start");
                }
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("memcached did not accept connections on port " + MemcachedProtocol.PORT + " within 10 s", e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for memcached", ie);
                }
            }
        }
    }

    /** Sets every key (noreply, pipelined), then checks with {@code stats} that all were taken. */
    private long load(KvDataSet data) {
        java.util.HexFormat hex = java.util.HexFormat.of();
        try (Socket s = connect(); Arena arena = Arena.ofConfined()) {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            MemorySegment value = arena.allocate(Wire.KV_VALUE_SIZE);
            long[] count = {0};
            data.forEachKey(key -> {
                KvDataSet.value(key, 0, value, 0);
                try {
                    out.write(("set " + hex.toHexDigits(key) + " 0 0 " + Wire.KV_VALUE_SIZE + " noreply\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(value.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                    out.write('\r');
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException("loading memcached failed", e);
                }
                count[0]++;
            });
            out.write(MemcachedProtocol.ascii("stats\r\n"));
            out.flush();
            Map<String, Long> st = readStats(in);
            long items = st.getOrDefault("curr_items", -1L);
            if (items != count[0]) {
                throw new IllegalStateException("memcached holds " + items + " items after loading " + count[0]
                        + " keys: is -m (" + st.get("limit_maxbytes") + " bytes) too small?");
            }
            return count[0];
        } catch (IOException e) {
            throw new UncheckedIOException("loading memcached failed", e);
        }
    }

    private static Map<String, Long> readStats(BufferedReader in) throws IOException {
        Map<String, Long> m = new LinkedHashMap<>();
        String l;
        while ((l = in.readLine()) != null && !l.equals("END")) {
            String[] p = l.split(" ");
            if (p.length == 3 && p[0].equals("STAT")) {
                try {
                    m.put(p[1], Long.parseLong(p[2]));
                } catch (NumberFormatException e) {
                    // not a counter (version, rusage as a fraction, ...)
                }
            }
        }
        return m;
    }

    @Override
    public Map<String, Object> stats() {
        try (Socket s = connect()) {
            s.getOutputStream().write(MemcachedProtocol.ascii("stats\r\n"));
            s.getOutputStream().flush();
            Map<String, Long> st = readStats(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)));
            Map<String, Object> m = new LinkedHashMap<>();
            for (String k : List.of("cmd_get", "cmd_set", "get_hits", "get_misses", "curr_items", "threads")) {
                m.put("memcached_" + k, st.getOrDefault(k, 0L));
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("memcached stats failed", e);
        }
    }

    @Override
    public Map<String, Object> check() {
        Map<String, Object> m = new LinkedHashMap<>(stats());
        m.put("keys", keys);
        m.put("value_bytes", Wire.KV_VALUE_SIZE);
        m.put("ok", process.isAlive() && ((Number) m.get("memcached_curr_items")).longValue() == keys);
        return m;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
