package io.dint.xsk;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Ethernet II / IPv4 (no options) / UDP headers of a frame in memory, read and written in place:
 * a flyweight of static accessors over {@code (segment, offset of the Ethernet header)}, so nothing
 * is allocated per packet. Network byte order throughout. The UDP checksum is always 0 (legal on
 * IPv4); the IP header checksum is computed.
 */
public final class UdpFrame {
    static final int ETH = 14;
    static final int IP = 20;
    static final int UDP = 8;
    /** Bytes of headers before the UDP payload. */
    static final int HEADERS = ETH + IP + UDP;

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int PROTO_UDP = 17;
    static final int TTL = 64;
    static final int DONT_FRAGMENT = 0x4000;

    // Offsets from the start of the Ethernet header.
    static final int ETH_DST = 0, ETH_SRC = 6, ETH_TYPE = 12;
    static final int IP_VER_IHL = ETH, IP_TOS = ETH + 1, IP_TOT_LEN = ETH + 2, IP_ID = ETH + 4, IP_FRAG = ETH + 6,
            IP_TTL = ETH + 8, IP_PROTO = ETH + 9, IP_CSUM = ETH + 10, IP_SRC = ETH + 12, IP_DST = ETH + 16;
    static final int UDP_SRC = ETH + IP, UDP_DST = UDP_SRC + 2, UDP_LEN = UDP_SRC + 4, UDP_CSUM = UDP_SRC + 6;

    /** Why {@link #check} refused a frame (negative results). */
    static final int NOT_IPV4 = -1, NOT_UDP = -2, BAD_LENGTH = -3, WRONG_PORT = -4, FRAGMENT = -5, BAD_HEADER = -6;

    private static final ValueLayout.OfShort U16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private UdpFrame() {}

    /**
     * Checks that the {@code frameLen} bytes at {@code at} are one whole IPv4/UDP datagram without
     * options or fragmentation, for UDP port {@code dstPort}, with the headers the kernel's stack
     * would accept (as the XDP programs' {@code dint_sane}): an individual source MAC, a right IP
     * checksum, a source address that is not martian (0/8, loopback, multicast, 240/4).
     *
     * @return the UDP payload length, or one of the negative reasons
     */
    static int check(MemorySegment m, long at, int frameLen, int dstPort) {
        if (frameLen < HEADERS || u16(m, at + ETH_TYPE) != ETHERTYPE_IPV4
                || m.get(JAVA_BYTE, at + IP_VER_IHL) != 0x45) {
            return NOT_IPV4;
        }
        if (m.get(JAVA_BYTE, at + IP_PROTO) != PROTO_UDP) {
            return NOT_UDP;
        }
        if ((u16(m, at + IP_FRAG) & 0x3fff) != 0) {
            return FRAGMENT;
        }
        int totLen = u16(m, at + IP_TOT_LEN);
        int udpLen = u16(m, at + UDP_LEN);
        // Ethernet pads short frames: the IP length, not the frame length, says where the datagram ends.
        if (totLen != IP + udpLen || udpLen < UDP || ETH + totLen > frameLen) {
            return BAD_LENGTH;
        }
        if (u16(m, at + UDP_DST) != dstPort) {
            return WRONG_PORT;
        }
        int first = m.get(JAVA_BYTE, at + IP_SRC) & 0xff;
        if ((m.get(JAVA_BYTE, at + ETH_SRC) & 1) != 0 || first == 0 || first == 127 || first >= 224
                || !ipChecksumValid(m, at)) {
            return BAD_HEADER;
        }
        return udpLen - UDP;
    }

    /**
     * Writes the fixed part of a client's headers (source MAC, address, port; everything but the
     * destination and the lengths) into a 42-byte template, and returns the template's partial IP
     * checksum: the one's-complement sum of its fixed header words.
     */
    static int writeTemplate(MemorySegment t, long srcMac, int srcAddr, int srcPort) {
        setMac(t, ETH_SRC, srcMac);
        t.set(U16, ETH_TYPE, (short) ETHERTYPE_IPV4);
        t.set(JAVA_BYTE, IP_VER_IHL, (byte) 0x45);
        t.set(JAVA_BYTE, IP_TOS, (byte) 0);
        t.set(U16, IP_ID, (short) 0);
        t.set(U16, IP_FRAG, (short) DONT_FRAGMENT);
        t.set(JAVA_BYTE, IP_TTL, (byte) TTL);
        t.set(JAVA_BYTE, IP_PROTO, (byte) PROTO_UDP);
        t.set(U16, IP_CSUM, (short) 0);
        t.set(U32, IP_SRC, srcAddr);
        t.set(U16, UDP_SRC, (short) srcPort);
        t.set(U16, UDP_CSUM, (short) 0);
        return sumWords(t, ETH, IP); // tot_len and dst are still 0 here
    }

    /**
     * A whole Ethernet/IPv4/UDP frame carrying {@code payload}, IP checksum set, UDP checksum 0
     * (MACs as 48-bit numbers, first byte most significant; addresses in host order).
     */
    public static byte[] frame(long srcMac, int srcAddr, int srcPort, long dstMac, int dstAddr, int dstPort, byte[] payload) {
        MemorySegment m = MemorySegment.ofArray(new byte[HEADERS + payload.length]);
        int sum = writeTemplate(m, srcMac, srcAddr, srcPort);
        complete(m, 0, sum, dstMac, dstAddr, dstPort, payload.length);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, m, HEADERS, payload.length);
        return m.toArray(JAVA_BYTE);
    }

    /**
     * Completes a frame whose first {@link #HEADERS} bytes are a copy of the template: destination
     * MAC, address and port, the lengths, and the IP checksum from the template's partial sum.
     */
    static void complete(MemorySegment m, long at, int templateSum, long dstMac, int dstAddr, int dstPort, int payloadLen) {
        setMac(m, at + ETH_DST, dstMac);
        int totLen = IP + UDP + payloadLen;
        m.set(U16, at + IP_TOT_LEN, (short) totLen);
        m.set(U32, at + IP_DST, dstAddr);
        m.set(U16, at + UDP_DST, (short) dstPort);
        m.set(U16, at + UDP_LEN, (short) (UDP + payloadLen));
        int sum = templateSum + totLen + (dstAddr >>> 16) + (dstAddr & 0xffff);
        m.set(U16, at + IP_CSUM, (short) ~fold(sum));
    }

    /**
     * Turns a received request into its reply in place: MACs, addresses and ports swapped, lengths
     * set for a payload of {@code payloadLen}, IP checksum recomputed, UDP checksum 0.
     */
    static void turnAround(MemorySegment m, long at, int payloadLen) {
        long dst = mac(m, at + ETH_DST);
        setMac(m, at + ETH_DST, mac(m, at + ETH_SRC));
        setMac(m, at + ETH_SRC, dst);
        int src = m.get(U32, at + IP_SRC);
        m.set(U32, at + IP_SRC, m.get(U32, at + IP_DST));
        m.set(U32, at + IP_DST, src);
        short sport = m.get(U16, at + UDP_SRC);
        m.set(U16, at + UDP_SRC, m.get(U16, at + UDP_DST));
        m.set(U16, at + UDP_DST, sport);
        m.set(U16, at + UDP_LEN, (short) (UDP + payloadLen));
        m.set(U16, at + IP_TOT_LEN, (short) (IP + UDP + payloadLen));
        m.set(JAVA_BYTE, at + IP_TTL, (byte) TTL);
        m.set(U16, at + IP_CSUM, (short) 0);
        m.set(U16, at + IP_CSUM, (short) ipChecksum(m, at));
        m.set(U16, at + UDP_CSUM, (short) 0);
    }

    /** The IPv4 header checksum of the header at {@code at + ETH}, as it should be stored (the checksum field counts as written). */
    static int ipChecksum(MemorySegment m, long at) {
        return ~fold(sumWords(m, at + ETH, IP)) & 0xffff;
    }

    /** True when the IPv4 header's checksum verifies (its words, checksum included, sum to 0xffff). */
    static boolean ipChecksumValid(MemorySegment m, long at) {
        return fold(sumWords(m, at + ETH, IP)) == 0xffff;
    }

    private static int sumWords(MemorySegment m, long from, int bytes) {
        int sum = 0;
        for (int i = 0; i < bytes; i += 2) {
            sum += u16(m, from + i);
        }
        return sum;
    }

    private static int fold(int sum) {
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return sum;
    }

    static int u16(MemorySegment m, long at) {
        return Short.toUnsignedInt(m.get(U16, at));
    }

    static int u32(MemorySegment m, long at) {
        return m.get(U32, at);
    }

    /** A MAC address as the low 48 bits of a long, first byte most significant. */
    static long mac(MemorySegment m, long at) {
        return ((long) u16(m, at) << 32) | Integer.toUnsignedLong(m.get(U32, at + 2));
    }

    static void setMac(MemorySegment m, long at, long mac) {
        m.set(U16, at, (short) (mac >>> 32));
        m.set(U32, at + 2, (int) mac);
    }

    public static long macOf(byte[] b) {
        if (b.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + b.length);
        }
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    static String formatMac(long mac) {
        StringBuilder s = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            s.append(String.format("%02x", (mac >>> (8 * i)) & 0xff));
            if (i > 0) {
                s.append(':');
            }
        }
        return s.toString();
    }

    /** Parses {@code 02:00:0a:e7:00:01}. */
    public static long parseMac(String s) {
        String[] p = s.trim().split(":");
        if (p.length != 6) {
            throw new IllegalArgumentException("not a MAC address: '" + s + "'");
        }
        long v = 0;
        for (String x : p) {
            int b = Integer.parseInt(x, 16);
            if (b < 0 || b > 255 || x.length() > 2) {
                throw new IllegalArgumentException("not a MAC address: '" + s + "'");
            }
            v = (v << 8) | b;
        }
        return v;
    }
}
