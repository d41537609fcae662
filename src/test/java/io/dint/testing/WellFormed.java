package io.dint.testing;

import io.dint.server.Allowlist;
import io.dint.wire.Wire;
import java.util.Arrays;

/**
 * The fuzz tests' oracle, written from the protocol rather than from the C: whether a frame is a
 * well-formed request a service program may answer — a frame the host's own stack would deliver
 * to the service's socket and that the service serves. Ethernet to the server's MAC from an
 * individual (not group) MAC, IPv4 without options or fragmentation with a right checksum, a
 * source that is not martian and that the allowlist allows, UDP to the service port, lengths that
 * agree with each other and fit the frame (Ethernet padding after the datagram allowed), and a
 * payload the service serves ({@link ServiceProgram#serves}).
 */
public final class WellFormed {
    private WellFormed() {}

    /** Offset of the UDP payload in an option-less frame. */
    public static final int PAYLOAD = 42;

    /** The UDP payload of a well-formed request frame for {@code service}, or null when it is not one. */
    public static byte[] request(byte[] f, ServiceProgram service, Allowlist allow) {
        byte[] payload = datagram(f, Wire.PORT, allow);
        return payload != null && service.serves(payload) ? payload : null;
    }

    /**
     * The UDP payload of a frame the stack would deliver to a socket on {@code port} of the fixtures'
     * server, from a source {@code allow} allows; null when it would not.
     */
    public static byte[] datagram(byte[] f, int port, Allowlist allow) {
        return datagram(f, port, allow, Wire.MAX_PAYLOAD);
    }

    /** As {@link #datagram(byte[], int, Allowlist)}, for payloads of up to {@code maxPayload} bytes. */
    public static byte[] datagram(byte[] f, int port, Allowlist allow, int maxPayload) {
        if (f.length < PAYLOAD || !Arrays.equals(f, 0, 6, Frames.SERVER_MAC, 0, 6) || (f[6] & 1) != 0
                || u16(f, 12) != 0x0800 || f[14] != 0x45 || f[23] != 17 || (u16(f, 20) & 0x3fff) != 0
                || !checksumRight(f)) {
            return null;
        }
        int src = u32(f, 26);
        int first = src >>> 24;
        if (first == 0 || first == 127 || first >= 224 || !allow.allows(src)) {
            return null;
        }
        int udpLen = u16(f, 38);
        if (u16(f, 36) != port || udpLen < 8 || u16(f, 16) != 20 + udpLen || 34 + udpLen > f.length
                || udpLen - 8 > maxPayload) {
            return null;
        }
        return Arrays.copyOfRange(f, PAYLOAD, 34 + udpLen);
    }

    /** True when the option-less IPv4 header's words, its checksum included, sum to 0xffff (one's complement). */
    static boolean checksumRight(byte[] f) {
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += u16(f, i);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return sum == 0xffff;
    }

    /** The big-endian 16-bit word at {@code at} of frame {@code f}. */
    public static int u16(byte[] f, int at) {
        return ((f[at] & 0xff) << 8) | (f[at + 1] & 0xff);
    }

    static int u32(byte[] f, int at) {
        return (u16(f, at) << 16) | u16(f, at + 2);
    }
}
