package io.dint.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Ethernet/IPv4/UDP frames for BPF test-run fixtures, well-formed or broken on purpose. */
public final class Frames {
    public static final byte[] CLIENT_MAC = {2, 0, 0, 0, 0, 1};
    public static final byte[] SERVER_MAC = {2, 0, 0, 0, 0, 2};
    public static final int CLIENT_IP = 0x0a_e7_00_0b; // addresses of the fixtures only; never sent
    public static final int SERVER_IP = 0x0a_e7_00_01;
    public static final int CLIENT_PORT = 40000;

    private byte[] dstMac = SERVER_MAC;
    private byte[] srcMac = CLIENT_MAC;
    private int srcIp = CLIENT_IP;
    private int vlan = -1;
    private int versionIhl = -1;
    private int totalLengthDelta = 0;
    private int checksumXor = 0;
    private int etherType = 0x0800;
    private int protocol = 17;
    private int ipOptionWords = 0;
    private int fragOff = 0x4000; // DF
    private int dstPort;
    private int udpLengthDelta = 0;
    private int udpChecksum = 0xbeef; // a partial checksum, as a local socket leaves it
    private byte[] payload = new byte[0];

    private Frames(int dstPort) {
        this.dstPort = dstPort;
    }

    public static Frames udpTo(int dstPort) {
        return new Frames(dstPort);
    }

    public Frames payload(byte[] p) {
        this.payload = p;
        return this;
    }

    public Frames dstMac(byte[] mac) {
        this.dstMac = mac;
        return this;
    }

    public Frames srcMac(byte[] mac) {
        this.srcMac = mac;
        return this;
    }

    public Frames srcIp(int addr) {
        this.srcIp = addr;
        return this;
    }

    /** An 802.1Q tag with this VLAN id before the ethertype. */
    public Frames vlan(int id) {
        this.vlan = id;
        return this;
    }

    /** The IP header's first byte as given (version and IHL), the header itself still 20 bytes plus options. */
    public Frames versionIhl(int b) {
        this.versionIhl = b;
        return this;
    }

    /** The IP total length off by {@code d}, nothing else changed. */
    public Frames totalLengthDelta(int d) {
        this.totalLengthDelta = d;
        return this;
    }

    /** The IP checksum XORed with {@code x} after it is computed (0: right). */
    public Frames checksumXor(int x) {
        this.checksumXor = x;
        return this;
    }

    public Frames etherType(int t) {
        this.etherType = t;
        return this;
    }

    public Frames protocol(int p) {
        this.protocol = p;
        return this;
    }

    public Frames ipOptions(int words) {
        this.ipOptionWords = words;
        return this;
    }

    public Frames fragmentOffset(int raw) {
        this.fragOff = raw;
        return this;
    }

    public Frames udpLengthDelta(int d) {
        this.udpLengthDelta = d;
        return this;
    }

    public byte[] build() {
        int ipHeader = 20 + 4 * ipOptionWords;
        int udpLen = 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + (vlan >= 0 ? 4 : 0) + ipHeader + udpLen).order(ByteOrder.BIG_ENDIAN);
        b.put(dstMac).put(srcMac);
        if (vlan >= 0) {
            b.putShort((short) 0x8100).putShort((short) vlan);
        }
        b.putShort((short) etherType);
        int ip = b.position();
        int first = versionIhl >= 0 ? versionIhl : 0x40 | (ipHeader / 4);
        b.put((byte) first).put((byte) 0).putShort((short) (ipHeader + udpLen + totalLengthDelta))
                .putShort((short) 0x1234).putShort((short) fragOff).put((byte) 64).put((byte) protocol)
                .putShort((short) 0).putInt(srcIp).putInt(SERVER_IP);
        for (int i = 0; i < ipOptionWords; i++) {
            b.putInt(0x01010101); // NOPs
        }
        b.putShort(ip + 10, (short) (ipChecksum(b.array(), ip, ipHeader) ^ checksumXor));
        b.putShort((short) CLIENT_PORT).putShort((short) dstPort).putShort((short) (udpLen + udpLengthDelta))
                .putShort((short) udpChecksum).put(payload);
        return b.array();
    }

    public static int ipChecksum(byte[] a, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            if (i == 10) {
                continue;
            }
            sum += ((a[off + i] & 0xff) << 8) | (a[off + i + 1] & 0xff);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /**
     * The reply the XDP fast path must make of {@code request}: MACs, IPs and ports swapped, UDP
     * checksum 0, payload as given; everything else byte for byte as it came.
     */
    public static byte[] expectedReply(byte[] request, byte[] replyPayload) {
        byte[] r = request.clone();
        ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.BIG_ENDIAN);
        System.arraycopy(request, 0, r, 6, 6);
        System.arraycopy(request, 6, r, 0, 6);
        int ihl = (request[14] & 0x0f) * 4;
        b.putInt(26, ByteBuffer.wrap(request).getInt(30));
        b.putInt(30, ByteBuffer.wrap(request).getInt(26));
        int udp = 14 + ihl;
        b.putShort(udp, ByteBuffer.wrap(request).getShort(udp + 2));
        b.putShort(udp + 2, ByteBuffer.wrap(request).getShort(udp));
        b.putShort(udp + 6, (short) 0);
        System.arraycopy(replyPayload, 0, r, udp + 8, replyPayload.length);
        return r;
    }

    /** Offset of the UDP payload in a frame built here. */
    public static int payloadOffset(byte[] frame) {
        return 14 + (frame[14] & 0x0f) * 4 + 8;
    }
}
