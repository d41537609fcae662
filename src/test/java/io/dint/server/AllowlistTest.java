package io.dint.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.net.Ipv4;
import io.dint.net.MsgBatch;
import io.dint.net.UdpSocket;
import io.dint.testing.LockMessages;
import io.dint.lock.LockTable;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The allowlist rule in Java, and the udp backend applying it on loopback. */
class AllowlistTest {
    @Test
    void prefixesAllowTheirAddressesOnly() {
        Allowlist a = Allowlist.parse("10.231.0.0/24, 192.168.7.5");
        assertThat(a.configured()).isTrue();
        assertThat(a.allows(Ipv4.parse("10.231.0.1"))).isTrue();
        assertThat(a.allows(Ipv4.parse("10.231.0.255"))).isTrue();
        assertThat(a.allows(Ipv4.parse("10.231.1.1"))).isFalse();
        assertThat(a.allows(Ipv4.parse("192.168.7.5"))).isTrue();
        assertThat(a.allows(Ipv4.parse("192.168.7.6"))).isFalse();
        assertThat(a).hasToString("10.231.0.0/24,192.168.7.5/32");
        assertThat(Allowlist.parse("0.0.0.0/0").allows(Ipv4.parse("203.0.113.9"))).isTrue();
    }

    @Test
    void noAllowlistAllowsEverySource() {
        for (Allowlist a : new Allowlist[] {Allowlist.ANY, Allowlist.parse(""), Allowlist.parse("  ")}) {
            assertThat(a.configured()).isFalse();
            assertThat(a.allows(Ipv4.parse("203.0.113.9"))).isTrue();
            assertThat(a).hasToString("any");
        }
    }

    @Test
    void whatIsNotAPrefixIsRefusedWithAClearError() {
        assertThatThrownBy(() -> Allowlist.parse("10.231.0.1/24")).hasMessageContaining("did you mean 10.231.0.0/24");
        assertThatThrownBy(() -> Allowlist.parse("10.231.0.0/33")).hasMessageContaining("0..32");
        assertThatThrownBy(() -> Allowlist.parse("10.231.0/24")).hasMessageContaining("not an IPv4 prefix");
        assertThatThrownBy(() -> Allowlist.parse("10.231.0.0/x")).hasMessageContaining("not an IPv4 prefix");
        assertThatThrownBy(() -> Allowlist.parse("10.0.0.1,,10.0.0.2")).hasMessageContaining("not an IPv4 prefix");
        assertThatThrownBy(() -> Allowlist.parse(String.join(",", Collections.nCopies(Wire.ALLOW_MAX + 1, "10.0.0.1"))))
                .hasMessageContaining("at most " + Wire.ALLOW_MAX);
    }

    /** The rule is the longest-prefix match the kernel's LPM trie makes: an address is allowed when its first bits are a prefix's. */
    @Property(tries = 500)
    void anAddressIsAllowedExactlyWhenItsFirstBitsMatch(@ForAll int prefix, @ForAll @IntRange(max = 32) int length, @ForAll int addr) {
        int mask = length == 0 ? 0 : -1 << (32 - length);
        Allowlist a = Allowlist.parse(Ipv4.format(prefix & mask) + "/" + length);
        assertThat(a.allows(addr)).isEqualTo(((addr ^ prefix) & mask) == 0);
        assertThat(a.allows(prefix)).isTrue();
    }

    /** The udp backend answers an allowed source, and drops and counts any other. */
    @Test
    void theUdpBackendServesAllowedSourcesOnly() {
        int server = Ipv4.parse("127.0.0.1");
        int port = freePort(server);
        try (UdpServer s = new UdpServer(new LockTable(64), server, port, 1, Allowlist.parse("127.0.0.2/32"))) {
            assertThat(exchange(Ipv4.parse("127.0.0.2"), server, port, 1)).as("an allowed source").isTrue();
            assertThat(exchange(Ipv4.parse("127.0.0.3"), server, port, 2)).as("a source outside the list").isFalse();
            assertThat(s.stats()).containsEntry(Stat.name(Stat.DROP_NOT_ALLOWED), 1L).containsEntry(Stat.name(Stat.TX), 1L)
                    .containsEntry(Stat.name(Stat.RX), 2L);
        }
    }

    /**
     * A port no socket holds now, chosen by the kernel: a fixed one would be shared through
     * SO_REUSEPORT with any other server of the machine bound to it.
     */
    private static int freePort(int addr) {
        try (UdpSocket probe = UdpSocket.open(addr, 0, false)) {
            return probe.localPort();
        }
    }

    /** Sends one lock request from {@code from}; true when it was answered within a second. */
    private static boolean exchange(int from, int server, int port, long seq) {
        try (UdpSocket c = UdpSocket.open(from, 0, false); MsgBatch b = MsgBatch.allocate(1, 256)) {
            byte[] req = LockMessages.request(Op.LOCK_ACQUIRE_SHARED, 5, 1, seq);
            MemorySegment.copy(MemorySegment.ofArray(req), 0, b.slot(0), 0, req.length);
            b.setLength(0, req.length);
            b.setPeer(0, server, port);
            assertThat(c.send(b, 1)).isEqualTo(1);
            return c.receive(b, 1000) == 1 && b.length(0) == req.length;
        }
    }
}
