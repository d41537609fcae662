package io.dint.net;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.sys.SocketStructs;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class MsgBatchTest {

    @Test
    void structLayoutsMatchLinuxX8664() {
        assertThat(SocketStructs.MMSGHDR.byteSize()).isEqualTo(64);
        assertThat(SocketStructs.IOVEC.byteSize()).isEqualTo(16);
        assertThat(SocketStructs.SOCKADDR_IN.byteSize()).isEqualTo(16);
        assertThat(MsgBatch.OFF_NAME).isEqualTo(0);
        assertThat(MsgBatch.OFF_NAMELEN).isEqualTo(8);
        assertThat(MsgBatch.OFF_IOV).isEqualTo(16);
        assertThat(MsgBatch.OFF_IOVLEN).isEqualTo(24);
        assertThat(MsgBatch.OFF_FLAGS).isEqualTo(48);
        assertThat(MsgBatch.OFF_MSGLEN).isEqualTo(56);
        assertThat(MsgBatch.OFF_SIN_PORT).isEqualTo(2);
        assertThat(MsgBatch.OFF_SIN_ADDR).isEqualTo(4);
    }

    @Test
    void headersPointAtTheirAddressIovecAndBuffer() {
        try (MsgBatch b = MsgBatch.allocate(5, 100)) {
            MemorySegment m = b.memory();
            long base = m.address();
            for (int i = 0; i < 5; i++) {
                long sa = base + b.addrsOffset() + 16L * i;
                long buf = base + b.bufferOffset(i);
                for (long hdrs : new long[] {b.sendHdrOffset(), b.recvHdrOffset()}) {
                    long h = hdrs + 64L * i;
                    assertThat(m.get(JAVA_LONG, h)).isEqualTo(sa);
                    assertThat(m.get(JAVA_INT, h + 8)).isEqualTo(16);
                    assertThat(m.get(JAVA_LONG, h + 24)).isEqualTo(1L);
                    long iov = m.get(JAVA_LONG, h + 16) - base;
                    assertThat(m.get(JAVA_LONG, iov)).isEqualTo(buf);
                }
                assertThat(m.get(JAVA_LONG, b.recvIovOffset() + 16L * i + 8)).isEqualTo(100L);
                assertThat(m.get(JAVA_SHORT, b.addrsOffset() + 16L * i)).isEqualTo((short) 2);
                assertThat(b.slot(i).address()).isEqualTo(buf);
                assertThat(b.slot(i).byteSize()).isEqualTo(100);
                assertThat(b.slot(i).address() % 64).isZero();
                assertThat(b.slot(i)).isSameAs(b.slot(i));
            }
            assertThat(b.sendHdrAddress(2)).isEqualTo(base + b.sendHdrOffset() + 128);
        }
    }

    @Test
    void lengthAndPeerRoundTripInNetworkOrder() {
        try (MsgBatch b = MsgBatch.allocate(3, 64)) {
            b.setLength(1, 42);
            assertThat(b.length(1)).isEqualTo(42);
            assertThat(b.length(0)).isZero();
            b.setPeer(2, Ipv4.parse("10.231.0.7"), 0xABCD);
            assertThat(b.peerAddr(2)).isEqualTo(0x0AE70007);
            assertThat(b.peerPort(2)).isEqualTo(0xABCD);
            long sa = b.addrsOffset() + 32;
            assertThat(b.memory().get(JAVA_BYTE, sa + 2)).isEqualTo((byte) 0xAB);
            assertThat(b.memory().get(JAVA_BYTE, sa + 4)).isEqualTo((byte) 10);
            assertThat(b.memory().get(JAVA_BYTE, sa + 7)).isEqualTo((byte) 7);
            b.copyPeer(2, 0);
            assertThat(b.peerAddr(0)).isEqualTo(0x0AE70007);
            assertThat(b.peerPort(0)).isEqualTo(0xABCD);
            b.setPeer(1, Ipv4.LOOPBACK, 9);
            b.slot(1).set(JAVA_INT, 0, 0x12345678);
            MemorySegment buf1 = b.slot(1);
            b.moveSlot(1, 0);
            assertThat(b.length(0)).isEqualTo(42);
            assertThat(b.peerAddr(0)).isEqualTo(Ipv4.LOOPBACK);
            assertThat(b.peerPort(0)).isEqualTo(9);
            assertThat(b.slot(0)).isSameAs(buf1);
            assertThat(b.slot(0).get(JAVA_INT, 0)).isEqualTo(0x12345678);
            // The kernel sees the swap too: both iovecs of slot 0 now point at the moved buffer.
            MemorySegment m = b.memory();
            assertThat(m.get(JAVA_LONG, b.sendIovOffset())).isEqualTo(buf1.address());
            assertThat(m.get(JAVA_LONG, b.recvIovOffset())).isEqualTo(buf1.address());
            assertThat(m.get(JAVA_LONG, b.recvIovOffset() + 16)).isEqualTo(m.address() + b.bufferOffset(0));
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> MsgBatch.allocate(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MsgBatch.allocate(2, 70000)).isInstanceOf(IllegalArgumentException.class);
        try (MsgBatch b = MsgBatch.allocate(2, 10)) {
            assertThatThrownBy(() -> b.setLength(0, 11)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.length(2)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void ipv4ParsesAndFormats() {
        assertThat(Ipv4.parse("127.0.0.1")).isEqualTo(Ipv4.LOOPBACK);
        assertThat(Ipv4.parse("255.255.255.255")).isEqualTo(-1);
        assertThat(Ipv4.format(0x0AE70065)).isEqualTo("10.231.0.101");
        assertThat(Ipv4.format(-1)).isEqualTo("255.255.255.255");
        for (String bad : new String[] {"1.2.3", "1.2.3.256", "a.b.c.d", "1..2.3", "1.2.3.4.5"}) {
            assertThatThrownBy(() -> Ipv4.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
