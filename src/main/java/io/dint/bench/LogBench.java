package io.dint.bench;

import io.dint.backend.Backend;
import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.cluster.Host;
import io.dint.log.LogClient;
import io.dint.server.ServerHandle;
import io.dint.wire.Wire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./dint bench log}: the paper's log microbenchmark — 56-byte records {key, version,
 * 40-byte value}, keys uniform — appended to the commit-log service, drained to a file in a
 * temporary directory with the default fsync policy (deleted after the run: it grows by ~72 bytes
 * a request). Each append is one "transaction", committed by its ACK.
 */
public final class LogBench implements MicroBench.Workload {
    private final long keys;
    private final int serverThreads;
    private final Path dir;
    private final String ring = "bench-" + ProcessHandle.current().pid();

    public LogBench(long keys, int serverThreads) {
        this.keys = keys;
        this.serverThreads = serverThreads;
        try {
            this.dir = Files.createTempDirectory("dint-log-bench");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the bench's commit logs", e);
        }
        dir.toFile().deleteOnExit();
    }

    @Override
    public String name() {
        return "log";
    }

    @Override
    public Map<String, Object> scale() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("keys", keys);
        s.put("record_bytes", 8 + 8 + Wire.LOG_VALUE_SIZE);
        s.put("ring_slots", 65536);
        s.put("fsync", "every 10 ms or 4096 records");
        s.put("log_dir", dir.toString());
        s.put("udp_server_threads", serverThreads);
        return s;
    }

    private Path file(Backend backend) {
        return dir.resolve(backend.id() + ".dlog");
    }

    @Override
    public List<String> serveArgs(Backend backend) {
        return List.of("--service", "log", "--backend", backend.id(), "--log", file(backend).toString(),
                "--ring", ring + "-" + backend, "--threads", Integer.toString(serverThreads));
    }

    @Override
    public LoadLoop client(Transport transport, ClientStats stats, int index, MicroBench.Shape shape, Host server) {
        return new LogClient(transport, stats, index + 1, server.ipv4(), Wire.PORT, shape.inflight(), keys, index,
                MicroBench.clientTimeoutNanos(), 0, null);
    }

    @Override
    public MicroBench.KernelLoad kernelLoad(Backend backend) {
        long[] k = new java.util.SplittableRandom(7).longs(100_000, 0, keys).toArray();
        return new MicroBench.KernelLoad(KernelClient.Service.LOG, new KernelClient.Trace() {
            @Override
            public int length() {
                return k.length;
            }

            @Override
            public int keys(int txn) {
                return 1;
            }

            @Override
            public long key(int txn, int i) {
                return k[txn];
            }

            @Override
            public boolean exclusive(int txn, int i) {
                return false;
            }
        });
    }

    /** Every record appended is in the file once the rings are drained; then the file goes. */
    @Override
    public void check(Backend backend, ServerHandle server, BenchReport report) {
        Map<String, Object> check = new LinkedHashMap<>(server.check());
        long appended = ((Number) server.stats().get("log_append")).longValue();
        check.put("appended", appended);
        report.checks().put(backend.id(), check);
        if (!Boolean.TRUE.equals(check.get("all_drained")) || ((Number) check.get("file_records")).longValue() != appended) {
            report.fail(backend + ": the log file does not hold every appended record: " + check);
        }
        try {
            Files.deleteIfExists(file(backend)); // the server still has it open; the space goes when it closes
        } catch (IOException e) {
            report.fail(backend + ": cannot delete " + file(backend) + ": " + e.getMessage());
        }
    }
}
