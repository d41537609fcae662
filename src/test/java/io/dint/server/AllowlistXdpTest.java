package io.dint.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.net.Ipv4;
import io.dint.testing.Frames;
import io.dint.testing.ServiceProgram;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The allowlist in every service's XDP program through BPF_PROG_TEST_RUN: a request from an
 * allowed prefix is served, one from anywhere else dropped untouched and counted, and without an
 * allowlist the map is not even looked at.
 */
class AllowlistXdpTest {
    private static final int INSIDE = Frames.CLIENT_IP; // 10.231.0.11
    private static final int OUTSIDE = Ipv4.parse("10.232.0.11");

    private static TestRun send(BpfProgram p, byte[] payload, int from) {
        return p.testRun(Frames.udpTo(Wire.PORT).srcIp(from).payload(payload).build());
    }

    @ParameterizedTest
    @EnumSource(ServiceProgram.class)
    void onlyAllowedPrefixesAreServedAndTheRestIsCounted(ServiceProgram service) {
        SplittableRandom rnd = new SplittableRandom(3);
        try (BpfObject obj = service.load(Allowlist.parse("10.231.0.0/24,192.0.2.7"))) {
            BpfProgram p = obj.program(service.program());
            BpfMap stats = obj.map("stats");
            assertThat(send(p, service.request(rnd, 1), INSIDE).verdict()).as("inside the /24").isIn(Xdp.TX, Xdp.PASS);
            assertThat(send(p, service.request(rnd, 2), Ipv4.parse("192.0.2.7")).verdict()).as("the /32").isIn(Xdp.TX, Xdp.PASS);
            long tx = stats.sumPerCpuLong(Stat.TX);
            byte[] frame = Frames.udpTo(Wire.PORT).srcIp(OUTSIDE).payload(service.request(rnd, 3)).build();
            TestRun r = p.testRun(frame);
            assertThat(r.verdict()).isEqualTo(Xdp.DROP);
            assertThat(r.output()).as("untouched").isEqualTo(frame);
            assertThat(send(p, service.request(rnd, 4), Ipv4.parse("192.0.2.8")).verdict()).isEqualTo(Xdp.DROP);
            assertThat(stats.sumPerCpuLong(Stat.DROP_NOT_ALLOWED)).isEqualTo(2);
            assertThat(stats.sumPerCpuLong(Stat.TX)).as("nothing answered").isEqualTo(tx);
        }
    }

    /** Without an allowlist every source is served, even with prefixes in the map: the program never looks. */
    @ParameterizedTest
    @EnumSource(ServiceProgram.class)
    void withoutAnAllowlistTheMapIsNotConsulted(ServiceProgram service) {
        SplittableRandom rnd = new SplittableRandom(4);
        try (BpfObject obj = service.load(Allowlist.ANY); Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(Wire.ALLOW_KEY);
            key.set(ValueLayout.JAVA_INT, Wire.ALLOW_KEY_PREFIXLEN, 32);
            key.set(ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), Wire.ALLOW_KEY_ADDR, Ipv4.parse("192.0.2.1"));
            obj.map("allowlist").update(key, arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 1));
            BpfProgram p = obj.program(service.program());
            assertThat(send(p, service.request(rnd, 1), OUTSIDE).verdict()).isIn(Xdp.TX, Xdp.PASS);
            assertThat(obj.map("stats").sumPerCpuLong(Stat.DROP_NOT_ALLOWED)).isZero();
        }
    }
}
