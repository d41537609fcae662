package io.dint.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.client.ClientStats;
import io.dint.server.ServerProcess;
import io.dint.server.StatCounters;
import io.dint.testing.KvMessages;
import io.dint.testing.Messages;
import io.dint.testing.ServiceCluster;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import io.dint.workload.Tatp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KV store over a real network: server processes in their namespaces (XDP and TC attached for
 * real, the slow path on a socket), clients in another, veth and a bridge between them.
 */
class KvServiceEndToEndTest {
    private static final long SUBSCRIBERS = 2_000; // 24,000 keys

    @RegisterExtension
    static final ServiceCluster CLUSTER = new ServiceCluster();

    private ServerProcess start(int server, String backend, String population, double cacheRatio, String... more) {
        List<String> options = new ArrayList<>(List.of("--subscribers", Long.toString(SUBSCRIBERS), "--population", population,
                "--cache-ratio", Double.toString(cacheRatio), "--threads", "2"));
        options.addAll(List.of(more));
        return CLUSTER.serve(server, "kv", backend, options.toArray(String[]::new));
    }

    /** A number memcached reports (its own, not the service counters). */
    private static long figure(Map<String, Object> stats, String name) {
        return ((Number) stats.get(name)).longValue();
    }

    /** Load with 20% SETs on a cache half the data set's size: hits, misses and write-backs, all consistent. */
    @ParameterizedTest
    @ValueSource(strings = {"xdp", "udp"})
    void aLoadRunsToCompletionAndTheCacheAgreesWithTheStore(String backend) throws Exception {
        KvTrace trace = KvTrace.generate(SUBSCRIBERS, 0.8, 50_000, 3);
        try (ServerProcess proc = start(0, backend, "all", 0.5)) {
            ClientStats stats = new ClientStats();
            int server = CLUSTER.server(0).ipv4();
            CLUSTER.runClient(transport -> new KvClient(transport, stats, trace, 1, server, Wire.PORT, 16, 0, 50_000_000L, 20_000));
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(20_000);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).as("every GET got its own key's value").isZero();
            Map<String, Object> check = proc.check();
            assertThat(check).as("check %s", check).containsEntry("ok", true).containsEntry("keys", 24_000);
            if (backend.equals("xdp")) {
                Map<String, Object> report = proc.stats();
                StatCounters s = StatCounters.reported(report);
                assertThat(s.get(Stat.KV_GET_HIT)).as("stats %s", report).isPositive();
                assertThat(s.get(Stat.KV_SET_HIT)).isPositive();
                assertThat(s.get(Stat.KV_SLOW)).isPositive();
                assertThat(s.get(Stat.KV_WRITEBACK)).isPositive();
                assertThat(s.get(Stat.KV_TC_INSTALL)).as("TC saw the slow path's replies").isPositive();
                assertThat(s.get(Stat.KV_TC_BAD)).isZero();
                assertThat(StatCounters.reported(report, StatCounters.SLOW_PATH_PREFIX).get(Stat.TX)).isEqualTo(s.get(Stat.KV_SLOW));
            }
        }
    }

    /** The memcached baseline serves the same trace, keys and values (Debian's memcached, UDP on). */
    @Test
    void memcachedServesTheSameTrace() throws Exception {
        KvTrace trace = KvTrace.generate(SUBSCRIBERS, 0.8, 50_000, 5);
        try (ServerProcess proc = start(0, "memcached", "all", 1.5)) {
            ClientStats stats = new ClientStats();
            int server = CLUSTER.server(0).ipv4();
            CLUSTER.runClient(transport -> new MemcachedClient(transport, stats, trace, server, 16, 0, 50_000_000L, 10_000));
            assertThat(stats.get(ClientStats.COMMITTED)).isEqualTo(10_000);
            assertThat(stats.get(ClientStats.PROTOCOL_ERRORS)).as("every get returned its own key's value").isZero();
            Map<String, Object> s = proc.stats();
            assertThat(figure(s, "memcached_get_misses")).as("all keys loaded: %s", s).isZero();
            assertThat(figure(s, "memcached_get_hits")).isPositive();
            assertThat(proc.check()).containsEntry("ok", true);
        }
    }

    /** One sequence of GET/SET/INSERT/DELETE, missing keys included, gets byte-identical replies from both backends. */
    @Test
    void xdpAndUdpBackendsAnswerIdentically() throws Exception {
        SplittableRandom rnd = new SplittableRandom(9);
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int op = switch (rnd.nextInt(10)) {
                case 0, 1, 2, 3 -> Op.KV_GET;
                case 4, 5 -> Op.KV_SET;
                case 6, 7 -> Op.KV_INSERT;
                default -> Op.KV_DELETE;
            };
            long key = Tatp.callForwardingKey(1 + rnd.nextLong(40), 1 + rnd.nextInt(4), Tatp.START_TIMES[rnd.nextInt(3)]);
            requests.add(KvMessages.request(op, key, KvMessages.value(key, i), i + 1));
        }
        try (ServerProcess xdp = start(0, "xdp", "tatp", 0.3);
             ServerProcess udp = start(1, "udp", "tatp", 0.3)) {
            List<byte[]> fromXdp = CLUSTER.assertSameReplies(requests, reply -> "status " + Messages.status(reply)
                    + " version " + KvMessages.version(reply));
            int[] statuses = new int[64];
            for (byte[] reply : fromXdp) {
                statuses[Messages.status(reply)]++;
            }
            assertThat(statuses[Status.KV_OK]).isPositive();
            assertThat(statuses[Status.KV_NOT_EXIST]).isPositive();
            assertThat(statuses[Status.KV_EXISTS]).isPositive();
            StatCounters s = xdp.counters();
            assertThat(s.get(Stat.KV_GET_HIT) + s.get(Stat.KV_SET_HIT)).as("hits in the kernel: %s", s).isPositive();
            assertThat(s.get(Stat.KV_NOT_EXIST)).as("Bloom answers").isPositive();
            assertThat(s.get(Stat.KV_SLOW)).as("misses").isPositive();
            assertThat(s.get(Stat.KV_WRITEBACK)).as("dirty victims").isPositive();
            assertThat(xdp.check()).containsEntry("ok", true);
        }
    }

    /** Slow-path replies that are lost only delay their bucket until the lease runs out. */
    @Test
    void lostSlowPathRepliesOnlyDelayTheirBucket() throws Exception {
        KvDataSet data = new KvDataSet(SUBSCRIBERS, KvDataSet.Population.ALL, 42);
        List<byte[]> requests = new ArrayList<>();
        long[] keys = new long[20];
        int n = 0;
        for (long s = 1; n < keys.length; s += 7) {
            keys[n++] = Tatp.callForwardingKey(s, 4, 16);
        }
        for (int i = 0; i < keys.length; i++) {
            requests.add(KvMessages.request(Op.KV_GET, keys[i], KvMessages.zeroValue(), i + 1));
        }
        try (ServerProcess proc = start(0, "xdp", data.population().id(), 0.2, "--lease-ms", "20", "--drop-slow-replies", "3")) {
            List<byte[]> replies = CLUSTER.exchange(0, requests);
            for (int i = 0; i < keys.length; i++) {
                assertThat(Messages.status(replies.get(i))).as("GET %d answered in the end; %s", i, proc.stats()).isEqualTo(Status.KV_OK);
            }
            StatCounters s = proc.counters();
            assertThat(s.get(Stat.KV_SLOW)).as("most of these miss a cache of 0.2 slots per key: %s", s).isGreaterThan(3);
            assertThat(s.get(Stat.KV_LEASE_TAKEOVER)).as("each lost reply's bucket taken over").isGreaterThanOrEqualTo(3);
            assertThat(proc.check()).as("nothing left locked").containsEntry("ok", true).containsEntry("locked_buckets", 0);
        }
    }
}
