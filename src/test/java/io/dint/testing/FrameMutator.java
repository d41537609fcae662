package io.dint.testing;

import io.dint.wire.Wire;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * Frames for fuzzing a program: well-formed requests, and those requests mutated — bits flipped,
 * cut short, extended, each Ethernet/IPv4/UDP header field and each 8-byte word of the payload
 * set to a random or boundary value (with the IP checksum fixed up half of the time, so that the
 * mutation reaches the checks behind the checksum), a VLAN tag inserted, IP options, fragments —
 * and random bytes.
 */
public final class FrameMutator {
    // Ethernet/IPv4/UDP header fields of an option-less frame: offset, size
    private static final int[][] FIELDS = {
        {0, 6}, {6, 6}, {12, 2}, // MACs, ethertype
        {14, 1}, {15, 1}, {16, 2}, {18, 2}, {20, 2}, {22, 1}, {23, 1}, {24, 2}, {26, 4}, {30, 4}, // IPv4
        {34, 2}, {36, 2}, {38, 2}, {40, 2}, // UDP
    };
    private static final int PAYLOAD = 42;

    private final SplittableRandom rnd;
    private final LongFunction<byte[]> requests;
    private long seq;

    /** @param requests a well-formed request payload for a seq */
    public FrameMutator(SplittableRandom rnd, LongFunction<byte[]> requests) {
        this.rnd = rnd;
        this.requests = requests;
    }

    /** A frame carrying a fresh well-formed request, from the fixtures' client to the server. */
    public byte[] valid() {
        return Frames.udpTo(Wire.PORT).payload(requests.apply(++seq)).build();
    }

    /** The next frame: about a third well-formed, the rest mutated or random. */
    public byte[] next() {
        int kind = rnd.nextInt(16);
        if (kind < 5) {
            return valid();
        }
        byte[] f = valid();
        return switch (kind) {
            case 5, 6 -> flipBits(f);
            case 7 -> Arrays.copyOf(f, 14 + rnd.nextInt(f.length - 14));
            case 8 -> extend(f);
            case 9, 10 -> setHeaderField(f);
            case 11, 12 -> setPayloadWord(f);
            case 13 -> structural(f);
            case 14 -> setPayloadWord(setHeaderField(f));
            default -> random();
        };
    }

    private byte[] flipBits(byte[] f) {
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            int bit = rnd.nextInt(f.length * 8);
            f[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return maybeFixChecksum(f);
    }

    private byte[] extend(byte[] f) {
        byte[] g = Arrays.copyOf(f, f.length + 1 + rnd.nextInt(64));
        for (int i = f.length; i < g.length; i++) {
            g[i] = (byte) rnd.nextInt();
        }
        if (rnd.nextBoolean()) { // the lengths say so too: a longer payload
            int extra = g.length - f.length;
            put16(g, 16, get16(g, 16) + extra);
            put16(g, 38, get16(g, 38) + extra);
            fixChecksum(g);
        }
        return g;
    }

    private byte[] setHeaderField(byte[] f) {
        int[] field = FIELDS[rnd.nextInt(FIELDS.length)];
        setBytes(f, field[0], field[1]);
        return maybeFixChecksum(f);
    }

    private byte[] setPayloadWord(byte[] f) {
        int words = (f.length - PAYLOAD) / 8;
        if (words > 0) {
            int at = PAYLOAD + 8 * rnd.nextInt(words);
            int size = rnd.nextInt(3) == 0 ? 1 << rnd.nextInt(4) : 8; // sometimes a byte, short or int of it
            setBytes(f, at, size);
        }
        return f;
    }

    /** Sets {@code size} bytes at {@code at} to a boundary value (0, all ones, one more or less) or random bytes. */
    private void setBytes(byte[] f, int at, int size) {
        switch (rnd.nextInt(5)) {
            case 0 -> Arrays.fill(f, at, at + size, (byte) 0);
            case 1 -> Arrays.fill(f, at, at + size, (byte) 0xff);
            case 2 -> f[at + size - 1]++;
            case 3 -> f[at + size - 1]--;
            default -> {
                for (int i = at; i < at + size; i++) {
                    f[i] = (byte) rnd.nextInt();
                }
            }
        }
    }

    private byte[] structural(byte[] f) {
        return switch (rnd.nextInt(4)) {
            case 0 -> { // an 802.1Q tag before the ethertype
                byte[] g = new byte[f.length + 4];
                System.arraycopy(f, 0, g, 0, 12);
                g[12] = (byte) 0x81;
                g[14] = (byte) rnd.nextInt(16);
                g[15] = (byte) rnd.nextInt();
                System.arraycopy(f, 12, g, 16, f.length - 12);
                yield g;
            }
            case 1 -> { // options: IHL above 5, the option bytes inserted, lengths right
                int words = 1 + rnd.nextInt(10);
                byte[] g = new byte[f.length + 4 * words];
                System.arraycopy(f, 0, g, 0, 34);
                for (int i = 34; i < 34 + 4 * words; i++) {
                    g[i] = (byte) (rnd.nextBoolean() ? 1 : rnd.nextInt());
                }
                System.arraycopy(f, 34, g, 34 + 4 * words, f.length - 34);
                g[14] = (byte) (0x40 | (5 + words));
                put16(g, 16, get16(g, 16) + 4 * words);
                yield maybeFixChecksum(g);
            }
            case 2 -> { // a fragment: more fragments, an offset, or both
                put16(f, 20, (get16(f, 20) & 0x4000) | (rnd.nextBoolean() ? 0x2000 : 0) | rnd.nextInt(1 << 13));
                yield maybeFixChecksum(f);
            }
            default -> { // IHL below 5, or another IP version
                f[14] = (byte) (rnd.nextBoolean() ? 0x40 | rnd.nextInt(5) : (rnd.nextInt(16) << 4) | 5);
                yield maybeFixChecksum(f);
            }
        };
    }

    private byte[] random() {
        byte[] f = new byte[14 + rnd.nextInt(300)];
        for (int i = 0; i < f.length; i++) {
            f[i] = (byte) rnd.nextInt();
        }
        if (rnd.nextBoolean()) { // addressed to us, so that it goes past the first check
            System.arraycopy(Frames.SERVER_MAC, 0, f, 0, 6);
            if (f.length >= 14) {
                f[12] = 0x08;
                f[13] = 0;
            }
        }
        return f;
    }

    private byte[] maybeFixChecksum(byte[] f) {
        if (rnd.nextBoolean()) {
            fixChecksum(f);
        }
        return f;
    }

    /** Recomputes the IPv4 header checksum of whatever header length the frame claims, if it fits. */
    public static void fixChecksum(byte[] f) {
        if (f.length < 34 || f[12] != 0x08 || f[13] != 0) {
            return;
        }
        int ihl = (f[14] & 0x0f) * 4;
        if (ihl >= 20 && 14 + ihl <= f.length) {
            put16(f, 24, Frames.ipChecksum(f, 14, ihl));
        }
    }

    static int get16(byte[] f, int at) {
        return ((f[at] & 0xff) << 8) | (f[at + 1] & 0xff);
    }

    static void put16(byte[] f, int at, int v) {
        f[at] = (byte) (v >>> 8);
        f[at + 1] = (byte) v;
    }
}
