package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfObject;
import io.dint.bpf.Xdp;
import io.dint.testing.Frames;
import io.dint.testing.XdpCase;
import io.dint.testing.XdpFixture;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The redirect program through BPF_PROG_TEST_RUN, as a table: whatever is not ours, and ours
 * without a socket, goes to the kernel (XDP_PASS) byte for byte unchanged, and is counted as such.
 */
class XskRedirectXdpTest {
    private static final int PORT = 20230;

    @RegisterExtension
    final XdpFixture xdp = XdpFixture.of(XskRedirectXdpTest::load, XskRedirect.PROGRAM);

    private static BpfObject load() {
        XskRedirect.Handles obj = XskRedirect.load(UdpFrame.macOf(Frames.SERVER_MAC));
        XskRedirect.route(obj, PORT, 0);
        return obj.object();
    }

    private static XdpCase passedUnchanged(String description, byte[] frame) {
        return XdpCase.frame(description, frame).verdict(Xdp.PASS).untouched();
    }

    private long count(XskStat stat) {
        return stat.in(xdp.object());
    }

    @Test
    void framesThatAreNotOursPassUntouched() {
        byte[] payload = new byte[40];
        xdp.run(
            passedUnchanged("another port", Frames.udpTo(PORT + 1).payload(payload).build()),
            passedUnchanged("another host's MAC", Frames.udpTo(PORT).payload(payload).dstMac(Frames.CLIENT_MAC).build()),
            passedUnchanged("ARP", Frames.udpTo(PORT).payload(payload).etherType(0x0806).build()),
            passedUnchanged("ICMP", Frames.udpTo(PORT).payload(payload).protocol(1).build()),
            passedUnchanged("IP options", Frames.udpTo(PORT).payload(payload).ipOptions(2).build()),
            passedUnchanged("a first fragment", Frames.udpTo(PORT).payload(payload).fragmentOffset(0x2000).build()),
            passedUnchanged("ours by MAC and type, IP header cut short",
                    Arrays.copyOf(Frames.udpTo(PORT).payload(payload).build(), 14 + 10)));
        assertThat(count(XskStat.PASS)).as("pass").isEqualTo(7);
        assertThat(count(XskStat.RX)).as("rx").isEqualTo(7);
        assertThat(count(XskStat.REDIRECT)).as("redirect").isZero();
    }

    @Test
    void oursWithoutASocketInItsSlotGoesToTheKernel() {
        xdp.run(passedUnchanged("ours, no socket", Frames.udpTo(PORT).payload(new byte[40]).build()));
        assertThat(count(XskStat.NO_SOCKET)).as("no_socket").isEqualTo(1);
        assertThat(count(XskStat.PASS)).as("pass").isZero();
    }

    @Test
    void theCountersAreTheOnesTheRedirectReports() {
        assertThat(Arrays.stream(XskStat.values()).map(XskStat::reported)).containsExactly(XskRedirect.STATS);
        assertThat(xdp.object().map(XskStat.MAP).maxEntries()).as("a counter per entry").isEqualTo(XskStat.values().length);
    }
}
