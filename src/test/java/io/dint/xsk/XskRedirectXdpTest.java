package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.testing.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The redirect program through BPF_PROG_TEST_RUN: whatever is not ours, and ours without a socket,
 * goes to the kernel (XDP_PASS) byte for byte unchanged, and is counted as such.
 */
class XskRedirectXdpTest {
    private static final int PORT = 20230;

    private BpfObject obj;

    @BeforeEach
    void load() {
        obj = XskRedirect.load(UdpFrame.macOf(Frames.SERVER_MAC));
        XskRedirect.route(obj, PORT, 0);
    }

    @AfterEach
    void close() {
        obj.close();
    }

    private long count(int stat) {
        return obj.map("xsk_stats").sumPerCpuLong(stat);
    }

    private void assertPassedUnchanged(byte[] frame) {
        TestRun r = obj.program(XskRedirect.PROGRAM).testRun(frame);
        assertThat(r.verdict()).isEqualTo(Xdp.PASS);
        assertThat(r.output()).isEqualTo(frame);
    }

    @Test
    void framesThatAreNotOursPassUntouched() {
        byte[] payload = new byte[40];
        assertPassedUnchanged(Frames.udpTo(PORT + 1).payload(payload).build());
        assertPassedUnchanged(Frames.udpTo(PORT).payload(payload).dstMac(Frames.CLIENT_MAC).build());
        assertPassedUnchanged(Frames.udpTo(PORT).payload(payload).etherType(0x0806).build());
        assertPassedUnchanged(Frames.udpTo(PORT).payload(payload).protocol(1).build());
        assertPassedUnchanged(Frames.udpTo(PORT).payload(payload).ipOptions(2).build());
        assertPassedUnchanged(Frames.udpTo(PORT).payload(payload).fragmentOffset(0x2000).build());
        byte[] truncated = java.util.Arrays.copyOf(Frames.udpTo(PORT).payload(payload).build(), 14 + 10);
        assertPassedUnchanged(truncated); // ours by MAC and type, IP header cut short
        assertThat(count(2)).as("pass").isEqualTo(7);
        assertThat(count(0)).as("rx").isEqualTo(7);
        assertThat(count(1)).as("redirect").isZero();
    }

    @Test
    void oursWithoutASocketInItsSlotGoesToTheKernel() {
        assertPassedUnchanged(Frames.udpTo(PORT).payload(new byte[40]).build());
        assertThat(count(3)).as("no_socket").isEqualTo(1);
        assertThat(count(2)).as("pass").isZero();
    }
}
