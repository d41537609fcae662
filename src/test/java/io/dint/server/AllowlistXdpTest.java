package io.dint.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Xdp;
import io.dint.net.Ipv4;
import io.dint.testing.Frames;
import io.dint.testing.ServiceProgram;
import io.dint.testing.XdpCase;
import io.dint.testing.XdpFixture;
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

    private static byte[] from(int source, byte[] payload) {
        return Frames.udpTo(Wire.PORT).srcIp(source).payload(payload).build();
    }

    /** Served: answered in the kernel, or passed up to the slow path of a service with a cache. */
    private static void assertServed(XdpFixture xdp, String what, int source, byte[] payload) {
        assertThat(xdp.run(from(source, payload)).verdict()).as(what).isIn(Xdp.TX, Xdp.PASS);
    }

    private static XdpCase refused(String description, int source, byte[] payload) {
        return XdpCase.frame(description, from(source, payload)).verdict(Xdp.DROP).untouched().counts(Stat.DROP_NOT_ALLOWED);
    }

    @ParameterizedTest
    @EnumSource(ServiceProgram.class)
    void onlyAllowedPrefixesAreServedAndTheRestIsCounted(ServiceProgram service) {
        SplittableRandom rnd = new SplittableRandom(3);
        try (XdpFixture xdp = XdpFixture.of(service, Allowlist.parse("10.231.0.0/24,192.0.2.7")).load()) {
            assertServed(xdp, "inside the /24", INSIDE, service.request(rnd, 1));
            assertServed(xdp, "the /32", Ipv4.parse("192.0.2.7"), service.request(rnd, 2));
            xdp.run(
                refused("another /24", OUTSIDE, service.request(rnd, 3)),
                refused("the address after the /32", Ipv4.parse("192.0.2.8"), service.request(rnd, 4)));
            assertThat(xdp.stat(Stat.DROP_NOT_ALLOWED)).isEqualTo(2);
        }
    }

    /** Without an allowlist every source is served, even with prefixes in the map: the program never looks. */
    @ParameterizedTest
    @EnumSource(ServiceProgram.class)
    void withoutAnAllowlistTheMapIsNotConsulted(ServiceProgram service) {
        SplittableRandom rnd = new SplittableRandom(4);
        try (XdpFixture xdp = XdpFixture.of(service, Allowlist.ANY).load(); Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(Wire.ALLOW_KEY);
            key.set(ValueLayout.JAVA_INT, Wire.ALLOW_KEY_PREFIXLEN, 32);
            key.set(ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), Wire.ALLOW_KEY_ADDR, Ipv4.parse("192.0.2.1"));
            xdp.map(Allowlist.MAP).update(key, arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 1));
            assertServed(xdp, "from a source in the map but no allowlist", OUTSIDE, service.request(rnd, 1));
            assertThat(xdp.stat(Stat.DROP_NOT_ALLOWED)).isZero();
        }
    }
}
