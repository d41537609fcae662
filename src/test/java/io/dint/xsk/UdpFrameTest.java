package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.server.Allowlist;
import io.dint.testing.FrameMutator;
import io.dint.testing.Frames;
import io.dint.testing.WellFormed;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Headers built in UMEM by the client and turned around by the server, checked byte by byte. */
class UdpFrameTest {
    private static final long SRC_MAC = 0x02000ae70065L;
    private static final long DST_MAC = 0x02000ae70001L;
    private static final int SRC = 0x0ae70065, DST = 0x0ae70001;

    /** RFC 1071 the slow way: the reference the incremental checksum is held to. */
    private static int referenceChecksum(byte[] ip) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            if (i != 10) {
                sum += ((ip[i] & 0xff) << 8) | (ip[i + 1] & 0xff);
            }
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    @Test
    void clientFramesAreWellFormedWithTheRightChecksum() {
        SplittableRandom rnd = new SplittableRandom(3);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(UdpFrame.HEADERS);
            int sum = UdpFrame.writeTemplate(t, SRC_MAC, SRC, 40001);
            MemorySegment frame = a.allocate(2048);
            for (int i = 0; i < 1000; i++) {
                int dst = rnd.nextInt();
                int port = 1 + rnd.nextInt(65535);
                int len = rnd.nextInt(1473);
                MemorySegment.copy(t, 0, frame, 0, UdpFrame.HEADERS);
                UdpFrame.complete(frame, 0, sum, DST_MAC, dst, port, len);
                byte[] b = frame.asSlice(0, UdpFrame.HEADERS).toArray(ValueLayout.JAVA_BYTE);
                ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
                assertThat(UdpFrame.mac(frame, UdpFrame.ETH_DST)).isEqualTo(DST_MAC);
                assertThat(UdpFrame.mac(frame, UdpFrame.ETH_SRC)).isEqualTo(SRC_MAC);
                assertThat(bb.getShort(12) & 0xffff).isEqualTo(0x0800);
                byte[] ip = java.util.Arrays.copyOfRange(b, 14, 34);
                assertThat(bb.getShort(24) & 0xffff).as("IP checksum of frame %d", i).isEqualTo(referenceChecksum(ip));
                assertThat(UdpFrame.ipChecksumValid(frame, 0)).isTrue();
                assertThat(bb.getShort(16) & 0xffff).isEqualTo(28 + len);
                assertThat(bb.getInt(26)).isEqualTo(SRC);
                assertThat(bb.getInt(30)).isEqualTo(dst);
                assertThat(bb.getShort(34) & 0xffff).isEqualTo(40001);
                assertThat(bb.getShort(36) & 0xffff).isEqualTo(port);
                assertThat(bb.getShort(38) & 0xffff).isEqualTo(8 + len);
                assertThat(bb.getShort(40)).as("UDP checksum 0").isZero();
                assertThat(UdpFrame.check(frame, 0, UdpFrame.HEADERS + len, port)).isEqualTo(len);
            }
        }
    }

    @Test
    void checkRefusesWhatIsNotOneWholeDatagramForThePort() {
        byte[] payload = new byte[40];
        record Case(byte[] frame, int expected) {}
        List<Case> cases = List.of(
                new Case(Frames.udpTo(20230).payload(payload).build(), 40),
                new Case(Frames.udpTo(20231).payload(payload).build(), UdpFrame.WRONG_PORT),
                new Case(Frames.udpTo(20230).payload(payload).etherType(0x86dd).build(), UdpFrame.NOT_IPV4),
                new Case(Frames.udpTo(20230).payload(payload).ipOptions(1).build(), UdpFrame.NOT_IPV4),
                new Case(Frames.udpTo(20230).payload(payload).protocol(6).build(), UdpFrame.NOT_UDP),
                new Case(Frames.udpTo(20230).payload(payload).fragmentOffset(0x2000).build(), UdpFrame.FRAGMENT),
                new Case(Frames.udpTo(20230).payload(payload).udpLengthDelta(4).build(), UdpFrame.BAD_LENGTH),
                new Case(Frames.udpTo(20230).payload(payload).udpLengthDelta(-4).build(), UdpFrame.BAD_LENGTH),
                new Case(Frames.udpTo(20230).payload(payload).checksumXor(1).build(), UdpFrame.BAD_HEADER),
                new Case(Frames.udpTo(20230).payload(payload).srcMac(new byte[] {1, 0, 0x5e, 0, 0, 1}).build(), UdpFrame.BAD_HEADER),
                new Case(Frames.udpTo(20230).payload(payload).srcIp(0xffffffff).build(), UdpFrame.BAD_HEADER),
                new Case(Frames.udpTo(20230).payload(payload).srcIp(0x7f000001).build(), UdpFrame.BAD_HEADER),
                new Case(Frames.udpTo(20230).payload(payload).srcIp(0).build(), UdpFrame.BAD_HEADER));
        try (Arena a = Arena.ofConfined()) {
            for (Case c : cases) {
                MemorySegment m = a.allocate(c.frame().length);
                MemorySegment.copy(c.frame(), 0, m, ValueLayout.JAVA_BYTE, 0, c.frame().length);
                assertThat(UdpFrame.check(m, 0, c.frame().length, 20230)).isEqualTo(c.expected());
            }
            byte[] whole = Frames.udpTo(20230).payload(payload).build();
            MemorySegment m = a.allocate(whole.length);
            MemorySegment.copy(whole, 0, m, ValueLayout.JAVA_BYTE, 0, whole.length);
            assertThat(UdpFrame.check(m, 0, whole.length - 1, 20230)).as("cut short").isEqualTo(UdpFrame.BAD_LENGTH);
            MemorySegment padded = a.allocate(whole.length + 18);
            MemorySegment.copy(m, 0, padded, 0, whole.length);
            assertThat(UdpFrame.check(padded, 0, whole.length + 18, 20230)).as("Ethernet padding is not payload").isEqualTo(40);
        }
    }

    /**
     * Whatever the frame — a request mutated or random bytes — and whatever length is claimed for it,
     * check never throws and accepts exactly the datagrams the kernel's stack would deliver to the port.
     */
    @Property(tries = 5000)
    void checkAcceptsExactlyWholeDatagramsForThePort(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        FrameMutator gen = new FrameMutator(rnd, s -> io.dint.testing.LockMessages.request(1, s, 1, s));
        byte[] f = gen.next();
        System.arraycopy(Frames.SERVER_MAC, 0, f, 0, Math.min(6, f.length)); // the redirect program checked the MAC
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(f.length + 64);
            MemorySegment.copy(f, 0, m, ValueLayout.JAVA_BYTE, 0, f.length);
            int got = UdpFrame.check(m, 0, f.length, 20230);
            byte[] expected = WellFormed.datagram(f, 20230, Allowlist.ANY, Integer.MAX_VALUE);
            assertThat(got >= 0).as("accepted %s", java.util.HexFormat.of().formatHex(f)).isEqualTo(expected != null);
            if (expected != null) {
                assertThat(got).isEqualTo(expected.length);
            }
            int cut = rnd.nextInt(f.length + 1);
            assertThat(UdpFrame.check(m, 0, cut, 20230)).as("cut to %d", cut).isLessThanOrEqualTo(Math.max(cut - UdpFrame.HEADERS, -1));
        }
    }

    @Test
    void turnAroundSwapsEndsSetsLengthsAndKeepsTheChecksumValid() {
        byte[] req = Frames.udpTo(20230).payload(new byte[40]).build();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(2048);
            MemorySegment.copy(req, 0, m, ValueLayout.JAVA_BYTE, 0, req.length);
            UdpFrame.turnAround(m, 0, 24);
            assertThat(UdpFrame.mac(m, UdpFrame.ETH_DST)).isEqualTo(UdpFrame.macOf(Frames.CLIENT_MAC));
            assertThat(UdpFrame.mac(m, UdpFrame.ETH_SRC)).isEqualTo(UdpFrame.macOf(Frames.SERVER_MAC));
            assertThat(UdpFrame.u32(m, UdpFrame.IP_SRC)).isEqualTo(Frames.SERVER_IP);
            assertThat(UdpFrame.u32(m, UdpFrame.IP_DST)).isEqualTo(Frames.CLIENT_IP);
            assertThat(UdpFrame.u16(m, UdpFrame.UDP_SRC)).isEqualTo(20230);
            assertThat(UdpFrame.u16(m, UdpFrame.UDP_DST)).isEqualTo(Frames.CLIENT_PORT);
            assertThat(UdpFrame.u16(m, UdpFrame.UDP_CSUM)).isZero();
            assertThat(UdpFrame.ipChecksumValid(m, 0)).isTrue();
            assertThat(UdpFrame.check(m, 0, UdpFrame.HEADERS + 24, Frames.CLIENT_PORT)).isEqualTo(24);
        }
    }

    @Test
    void macAddressesParseAndFormat() {
        assertThat(UdpFrame.parseMac("02:00:0a:e7:00:01")).isEqualTo(0x02000ae70001L);
        assertThat(UdpFrame.formatMac(0x02000ae70001L)).isEqualTo("02:00:0a:e7:00:01");
        assertThat(UdpFrame.macOf(new byte[] {2, 0, 10, (byte) 0xe7, 0, 1})).isEqualTo(0x02000ae70001L);
    }
}
