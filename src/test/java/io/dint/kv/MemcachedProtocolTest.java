package io.dint.kv;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MemcachedProtocolTest {
    private static byte[] bytes(MemorySegment b, int len) {
        return b.asSlice(0, len).toArray(JAVA_BYTE);
    }

    private static byte[] framed(int id, String text) {
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] r = new byte[8 + t.length];
        r[0] = (byte) (id >> 8);
        r[1] = (byte) id;
        r[5] = 1;
        System.arraycopy(t, 0, r, 8, t.length);
        return r;
    }

    @Test
    void requestsAreFramedAsciiCommands() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(256);
            long key = 0x0700_0000_0001_2345L;
            int len = MemcachedProtocol.encodeGet(b, 0x1234, key);
            assertThat(bytes(b, len)).isEqualTo(framed(0x1234, "get 0700000000012345\r\n"));
            len = MemcachedProtocol.encodeSet(b, 7, key, 9);
            byte[] set = bytes(b, len);
            byte[] head = framed(7, "set 0700000000012345 0 0 40\r\n");
            assertThat(Arrays.copyOf(set, head.length)).isEqualTo(head);
            MemorySegment value = arena.allocate(40);
            KvDataSet.value(key, 9, value, 0);
            assertThat(Arrays.copyOfRange(set, head.length, head.length + 40)).isEqualTo(value.toArray(JAVA_BYTE));
            assertThat(new String(set, head.length + 40, 2, StandardCharsets.US_ASCII)).isEqualTo("\r\n");
        }
    }

    @Test
    void repliesAreRecognised() {
        try (Arena arena = Arena.ofConfined()) {
            long key = 0x0700_0000_0001_2345L;
            MemorySegment value = arena.allocate(40);
            KvDataSet.value(key, 0, value, 0);
            String data = new String(value.toArray(JAVA_BYTE), StandardCharsets.ISO_8859_1);
            record Case(byte[] reply, int kind) {}
            for (Case c : new Case[] {
                new Case(framed(3, "VALUE 0700000000012345 0 40\r\n" + data + "\r\nEND\r\n"), MemcachedProtocol.HIT),
                new Case(framed(3, "END\r\n"), MemcachedProtocol.MISS),
                new Case(framed(3, "STORED\r\n"), MemcachedProtocol.STORED_OK),
                new Case(framed(3, "SERVER_ERROR out of memory\r\n"), MemcachedProtocol.OTHER),
                new Case(framed(3, "EN"), MemcachedProtocol.OTHER)}) {
                MemorySegment b = arena.allocate(c.reply().length);
                MemorySegment.copy(c.reply(), 0, b, JAVA_BYTE, 0, c.reply().length);
                assertThat(MemcachedProtocol.requestId(b)).isEqualTo(3);
                assertThat(MemcachedProtocol.kind(b, c.reply().length)).isEqualTo(c.kind());
                if (c.kind() == MemcachedProtocol.HIT) {
                    assertThat(MemcachedProtocol.hitValueWord(b, c.reply().length)).isEqualTo(key);
                    assertThat(MemcachedProtocol.hitValueWord(b, 40)).as("cut short").isZero();
                }
            }
        }
    }

    /** The reply decoders on any bytes and any length: never a throw, and HIT, MISS or STORED only for those replies. */
    @net.jqwik.api.Property(tries = 2000)
    void repliesOfAnyBytesAreClassifiedWithoutAThrow(@net.jqwik.api.ForAll @net.jqwik.api.constraints.Size(max = 300) byte[] bytes,
                                                     @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(max = 2) int prefix,
                                                     @net.jqwik.api.ForAll long seed) {
        byte[] b = bytes.length < 8 ? Arrays.copyOf(bytes, 8) : bytes.clone();
        String[] starts = {"VALUE ", "END\r\n", "STORED\r\n"};
        byte[] start = starts[prefix].getBytes(StandardCharsets.ISO_8859_1);
        if (new java.util.SplittableRandom(seed).nextBoolean() && b.length >= 8 + start.length) {
            System.arraycopy(start, 0, b, 8, start.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(b.length);
            MemorySegment.copy(b, 0, m, JAVA_BYTE, 0, b.length);
            int len = (int) Math.floorMod(seed, (long) b.length + 1);
            int kind = MemcachedProtocol.kind(m, len);
            String text = new String(b, 8, Math.max(0, len - 8), StandardCharsets.ISO_8859_1);
            assertThat(kind).isEqualTo(text.startsWith("VALUE ") ? MemcachedProtocol.HIT : text.startsWith("END\r\n") ? MemcachedProtocol.MISS
                    : text.startsWith("STORED\r\n") ? MemcachedProtocol.STORED_OK : MemcachedProtocol.OTHER);
            MemcachedProtocol.hitValueWord(m, len);
            assertThat(MemcachedProtocol.requestId(m)).isEqualTo(((b[0] & 0xff) << 8) | (b[1] & 0xff));
        }
    }
}
