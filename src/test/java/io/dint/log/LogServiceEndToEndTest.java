package io.dint.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfFs;
import io.dint.client.ClientStats;
import io.dint.cluster.LocalCluster;
import io.dint.server.ServerProcess;
import io.dint.testing.LogMessages;
import io.dint.testing.ServiceCluster;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The commit-log service over a real network, on both backends: appends ACKed and drained to the
 * file; the same replies and logs from both backends; and a server killed with SIGKILL mid-run
 * whose every ACKed record ends up in the file — drained before the kill, or left in the rings
 * and drained by the server restarted in its place.
 */
class LogServiceEndToEndTest {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final String PREFIX = "test-" + ProcessHandle.current().pid() + "-";

    @RegisterExtension
    static final ServiceCluster CLUSTER = new ServiceCluster();

    @TempDir
    Path dir;

    private final String ring = PREFIX + RUNS.incrementAndGet();

    @AfterEach
    void removeRings() throws IOException {
        BpfFs.removePins("log-" + ring);
        Files.deleteIfExists(ShmRings.path(ring));
    }

    private ServerProcess serve(int server, String backend, Path log, String... extra) {
        List<String> args = new ArrayList<>(List.of("--log", log.toString(), "--ring", ring, "--ring-slots", "16384", "--threads", "2"));
        args.addAll(List.of(extra));
        return CLUSTER.serve(server, "log", backend, args.toArray(String[]::new));
    }

    /** The appends a client saw ACKed: seq -> {key, version}. */
    private static final class Acked implements LogClient.Acks {
        final Map<Long, long[]> bySeq = new ConcurrentHashMap<>();

        @Override
        public void acked(int clientId, long seq, long key, long version) {
            assertThat(bySeq.put(seq, new long[] {key, version})).as("one ACK per request").isNull();
        }
    }

    private static LogClient client(io.dint.client.Transport transport, ClientStats stats, int appends, Acked acked) {
        return new LogClient(transport, stats, 1, CLUSTER.server(0).ipv4(), Wire.PORT, 16, 1_000_000, 7, 50_000_000L, appends, acked);
    }

    /** Every ACKed append is in the log, with its key, version and value; returns the log's verdict. */
    private static LogReplay assertLogHolds(Path log, Acked acked) {
        Map<Long, long[]> found = new ConcurrentHashMap<>();
        LogReplay r = LogReplay.read(log, (i, valid, clientId, seq, key, version, value) -> {
            if (valid && clientId == 1) {
                for (int w = 0; w < Wire.LOG_VALUE_SIZE / 8; w++) {
                    assertThat(value.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8L * w))
                            .isEqualTo(LogClient.valueWord(key, version, w));
                }
                found.put(seq, new long[] {key, version});
            }
        });
        assertThat(r.ok()).as("every checksum holds: %s", r).isTrue();
        assertThat(r.tornBytes()).isZero();
        acked.bySeq.forEach((seq, kv) -> assertThat(found.get(seq)).as("ACKed append seq %d in the log", seq).containsExactly(kv));
        return r;
    }

    private void assertRingsRemoved(String backend) {
        Path rings = "xdp".equals(backend) ? Path.of("/sys/fs/bpf/dint/log-" + ring) : ShmRings.path(ring);
        assertThat(rings).as("drained rings are removed at shutdown").doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"xdp", "udp"})
    void appendsAreAckedAndDrainedToTheFile(String backend) throws Exception {
        Path log = dir.resolve("log.dlog");
        Acked acked = new Acked();
        ClientStats stats = new ClientStats();
        try (ServerProcess proc = serve(0, backend, log)) {
            CLUSTER.runClient(transport -> client(transport, stats, 3000, acked));
            Map<String, Object> check = proc.check();
            assertThat(check).containsEntry("all_drained", true);
            assertThat(((Number) check.get("file_records")).longValue()).isGreaterThanOrEqualTo(3000);
            assertThat(proc.counters().get(Stat.LOG_APPEND)).isGreaterThanOrEqualTo(3000);
        }
        assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(3000);
        assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).isZero();
        assertThat(acked.bySeq).hasSize(3000);
        assertThat(assertLogHolds(log, acked).distinct()).isEqualTo(3000);
        assertRingsRemoved(backend);
    }

    /** The same appends, one at a time, get byte-identical replies from both backends and leave the same log. */
    @Test
    void xdpAndUdpBackendsAnswerAndLogIdentically() throws Exception {
        List<byte[]> requests = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 500; i++) {
            requests.add(LogMessages.request(rnd.nextLong(1000), i, i));
        }
        Path xdpLog = dir.resolve("xdp.dlog");
        Path udpLog = dir.resolve("udp.dlog");
        try (ServerProcess xdp = serve(0, "xdp", xdpLog); ServerProcess udp = serve(1, "udp", udpLog)) {
            List<byte[]> fromXdp = CLUSTER.exchange(0, requests);
            List<byte[]> fromUdp = CLUSTER.exchange(1, requests);
            for (int i = 0; i < requests.size(); i++) {
                assertThat(fromXdp.get(i)).as("reply %d", i).isEqualTo(fromUdp.get(i));
            }
        }
        assertThat(records(xdpLog)).hasSize(500).containsExactlyElementsOf(records(udpLog));
    }

    /** A log's records as "seq key version", in request order. */
    private static List<String> records(Path log) {
        List<String> out = new ArrayList<>();
        LogReplay.read(log, (i, valid, clientId, seq, key, version, value) -> out.add(seq + " " + key + " " + version));
        return out.stream().sorted((a, b) -> Long.compare(Long.parseLong(a.split(" ")[0]), Long.parseLong(b.split(" ")[0]))).toList();
    }

    /**
     * SIGKILL the server while a client appends; start another with the same rings and log file;
     * the client's unanswered appends are resent to it. Every append the client saw ACKed is in
     * the file at the end. With the first server's drainer held off, every record it ACKed is
     * still in the rings at the kill, and the second server reports them recovered.
     */
    @ParameterizedTest(name = "{0}, drainer held off: {1}")
    @CsvSource({"xdp, false", "xdp, true", "udp, false", "udp, true"})
    void aKilledServerLosesNoAckedRecord(String backend, boolean drainHeldOff) throws Exception {
        Path log = dir.resolve("kill.dlog");
        Acked acked = new Acked();
        ClientStats stats = new ClientStats();
        AtomicReference<Throwable> clientFailure = new AtomicReference<>();
        Thread client;
        long ackedAtKill;
        try (ServerProcess first = drainHeldOff ? serve(0, backend, log, "--drain-idle-us", "600000000") : serve(0, backend, log)) {
            client = Thread.ofPlatform().start(() -> {
                try {
                    CLUSTER.runClient(transport -> client(transport, stats, 4000, acked));
                } catch (Throwable t) {
                    clientFailure.set(t);
                }
            });
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (acked.bySeq.size() < 1500 && System.nanoTime() < deadline && client.isAlive()) {
                Thread.sleep(2);
            }
            assertThat(acked.bySeq.size()).as("ACKs before the kill").isGreaterThanOrEqualTo(1500);
            ackedAtKill = acked.bySeq.size();
            long pid = ((Number) first.ready().get("pid")).longValue();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL: no shutdown hook, no final drain
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        }
        try (ServerProcess second = serve(0, backend, log)) {
            long recovered = ((Number) second.ready().get("recovered_records")).longValue();
            if (drainHeldOff) {
                assertThat(((Number) second.ready().get("file_records_at_start")).longValue()).as("nothing was drained").isZero();
                assertThat(recovered).as("every record the first server ACKed, still in the rings").isGreaterThanOrEqualTo(ackedAtKill);
            }
            client.join(120_000);
            assertThat(clientFailure.get()).isNull();
            assertThat(second.check()).containsEntry("all_drained", true);
        }
        assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(4000);
        LogReplay r = assertLogHolds(log, acked);
        assertThat(r.distinct()).as("distinct request ids; retransmissions logged twice are duplicates").isGreaterThanOrEqualTo(4000);
        assertRingsRemoved(backend);
    }

    @Test
    void replayCommandVerifiesALog() throws Exception {
        Path log = dir.resolve("replay.dlog");
        try (LogFile f = LogFile.open(log)) {
            assertThat(f.records()).isZero();
        }
        Process p = new ProcessBuilder(Stream.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("dint.classpath"), LocalCluster.MAIN_CLASS,
                "replay", "--log", log.toString()).toList()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("records = 0").contains("ok = true");
    }
}
