package io.dint.bpf;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Ethernet + IPv4 + UDP frames for {@link BpfProgram#testRun} fixtures: what an XDP program sees
 * when a datagram arrives, built without a network.
 */
public final class UdpFrame {

    public static final int ETH_BYTES = 14;
    public static final int IP_BYTES = 20;
    public static final int UDP_BYTES = 8;
    /** Offset of the UDP payload in a frame {@link #build} made. */
    public static final int PAYLOAD_OFFSET = ETH_BYTES + IP_BYTES + UDP_BYTES;

    private UdpFrame() {
    }

    /**
     * A frame carrying {@code payload} from {@code src:srcPort} to {@code dst:dstPort}: IPv4 with
     * no options, DF set, TTL 64, a valid header checksum, and UDP checksum 0 (none).
     */
    public static byte[] build(byte[] srcMac, byte[] dstMac, Inet4Address src, Inet4Address dst,
            int srcPort, int dstPort, byte[] payload) {
        if (srcMac.length != 6 || dstMac.length != 6) {
            throw new IllegalArgumentException("MAC addresses are 6 bytes");
        }
        int udpLength = UDP_BYTES + payload.length;
        if (IP_BYTES + udpLength > 0xffff) {
            throw new IllegalArgumentException("payload too large for one datagram: " + payload.length);
        }
        byte[] frame = new byte[PAYLOAD_OFFSET + payload.length];
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        b.put(dstMac).put(srcMac).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (IP_BYTES + udpLength))
                .putShort((short) 0).putShort((short) 0x4000) // id 0, DF
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(src.getAddress()).put(dst.getAddress());
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) udpLength).putShort((short) 0);
        b.put(payload);
        int checksum = ipChecksum(frame);
        frame[ETH_BYTES + 10] = (byte) (checksum >>> 8);
        frame[ETH_BYTES + 11] = (byte) checksum;
        return frame;
    }

    /** The UDP payload of a frame with a 20-byte IPv4 header, as long as its UDP length says. */
    public static byte[] payload(byte[] frame) {
        int udpLength = u16(frame, ETH_BYTES + IP_BYTES + 4);
        if (frame.length < PAYLOAD_OFFSET || udpLength < UDP_BYTES
                || ETH_BYTES + IP_BYTES + udpLength > frame.length) {
            throw new IllegalArgumentException("not an IPv4/UDP frame of " + frame.length + " bytes");
        }
        byte[] payload = new byte[udpLength - UDP_BYTES];
        System.arraycopy(frame, PAYLOAD_OFFSET, payload, 0, payload.length);
        return payload;
    }

    /** The checksum the frame's IPv4 header should carry (its own checksum field left out of the sum). */
    public static int ipChecksum(byte[] frame) {
        int ihl = (frame[ETH_BYTES] & 0x0f) * 4;
        long sum = 0;
        for (int i = ETH_BYTES; i < ETH_BYTES + ihl; i += 2) {
            if (i != ETH_BYTES + 10) {
                sum += u16(frame, i);
            }
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** Whether the IPv4 header checksum of {@code frame} is right. */
    public static boolean ipChecksumValid(byte[] frame) {
        return ipChecksum(frame) == u16(frame, ETH_BYTES + 10);
    }

    private static int u16(byte[] b, int offset) {
        return (b[offset] & 0xff) << 8 | (b[offset + 1] & 0xff);
    }
}
