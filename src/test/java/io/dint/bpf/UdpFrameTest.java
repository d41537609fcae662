package io.dint.bpf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UdpFrameTest {

    private static final byte[] CLIENT_MAC = {2, 0, 0, 0, 0, 1};
    private static final byte[] SERVER_MAC = {2, 0, 0, 0, 0, 2};

    private static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    @Test
    void buildsAFrameWithAValidHeaderChecksum() throws Exception {
        byte[] payload = {1, 2, 3, 4, 5};
        byte[] frame = UdpFrame.build(CLIENT_MAC, SERVER_MAC, ip("10.0.0.1"), ip("10.0.0.2"), 40000, 20230, payload);
        assertThat(frame).hasSize(UdpFrame.PAYLOAD_OFFSET + 5);
        assertThat(UdpFrame.ipChecksumValid(frame)).isTrue();
        assertThat(UdpFrame.payload(frame)).isEqualTo(payload);
        // Known vector: the header of a 33-byte datagram 10.0.0.1 -> 10.0.0.2, DF, TTL 64, UDP.
        assertThat(UdpFrame.ipChecksum(frame)).isEqualTo(0x26ca);
    }

    /** A whole fixture through the real lock service: an exclusive ACQUIRE comes back granted. */
    @Test
    void lock2plGrantsAnExclusiveLockInATestRun() throws Exception {
        ByteBuffer msg = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        msg.put((byte) 2).put((byte) 0).putShort((short) 0).putInt(7).putLong(1).putLong(42).putLong(99);
        byte[] request = UdpFrame.build(CLIENT_MAC, SERVER_MAC, ip("10.0.0.1"), ip("10.0.0.2"), 40000,
                20230, msg.array());
        try (BpfObject obj = BpfObject.openBundled("lock2pl")) {
            obj.load();
            TestRun run = obj.program("lock2pl_xdp").testRun(request);
            assertThat(run.verdict()).isEqualTo(Xdp.TX);
            byte[] reply = run.output();
            assertThat(Arrays.copyOfRange(reply, 0, 6)).isEqualTo(CLIENT_MAC);
            assertThat(UdpFrame.ipChecksumValid(reply)).isTrue();
            assertThat(UdpFrame.payload(reply)[1]).isEqualTo((byte) 1); // DINT_ST_GRANT
        }
    }
}
