package io.dint.kv;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * memcached's text protocol over UDP, as much as the KV baseline needs: an 8-byte frame header
 * (request id, sequence 0, 1 datagram, reserved; big-endian) before {@code get <key>\r\n} or
 * {@code set <key> 0 0 40\r\n<value>\r\n}, and the replies {@code VALUE <key> 0 40\r\n<value>\r\nEND\r\n},
 * {@code END\r\n} and {@code STORED\r\n}. A key is the 16 hex digits of the 64-bit KV key. Static
 * methods over segments: nothing allocates.
 */
final class MemcachedProtocol {
    private MemcachedProtocol() {}

    static final int PORT = 11211;
    static final int FRAME = 8;
    static final int KEY_CHARS = 16;

    private static final java.lang.foreign.ValueLayout.OfShort BE_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] GET = ascii("get ");
    private static final byte[] SET = ascii("set ");
    private static final byte[] SET_TAIL = ascii(" 0 0 " + Wire.KV_VALUE_SIZE + "\r\n");
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] VALUE = ascii("VALUE ");
    private static final byte[] END = ascii("END\r\n");
    private static final byte[] STORED = ascii("STORED\r\n");

    /** What a reply says. */
    static final int HIT = 0, MISS = 1, STORED_OK = 2, OTHER = 3;

    static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static int put(MemorySegment b, int at, byte[] bytes) {
        MemorySegment.copy(bytes, 0, b, JAVA_BYTE, at, bytes.length);
        return at + bytes.length;
    }

    static int putKey(MemorySegment b, int at, long key) {
        for (int i = 0; i < KEY_CHARS; i++) {
            b.set(JAVA_BYTE, at + i, HEX[(int) (key >>> (60 - 4 * i)) & 0xf]);
        }
        return at + KEY_CHARS;
    }

    private static void frame(MemorySegment b, int requestId) {
        b.set(BE_SHORT, 0, (short) requestId);
        b.set(BE_SHORT, 2, (short) 0);
        b.set(BE_SHORT, 4, (short) 1);
        b.set(BE_SHORT, 6, (short) 0);
    }

    /** Writes a UDP {@code get}; returns its length. */
    static int encodeGet(MemorySegment b, int requestId, long key) {
        frame(b, requestId);
        int at = put(b, FRAME, GET);
        at = putKey(b, at, key);
        return put(b, at, CRLF);
    }

    /** Writes a UDP {@code set} of the value {@link KvDataSet#value}(key, salt); returns its length. */
    static int encodeSet(MemorySegment b, int requestId, long key, long salt) {
        frame(b, requestId);
        return setCommand(b, FRAME, key, salt);
    }

    /** Writes {@code set <key> 0 0 40\r\n<value>\r\n} at {@code at}, without frame; returns the end. */
    static int setCommand(MemorySegment b, int at, long key, long salt) {
        at = put(b, at, SET);
        at = putKey(b, at, key);
        at = put(b, at, SET_TAIL);
        KvDataSet.value(key, salt, b, at);
        return put(b, at + Wire.KV_VALUE_SIZE, CRLF);
    }

    static int requestId(MemorySegment b) {
        return Short.toUnsignedInt(b.get(BE_SHORT, 0));
    }

    /** HIT, MISS, STORED_OK or OTHER for the reply in {@code b[0, len)}. */
    static int kind(MemorySegment b, int len) {
        if (startsWith(b, len, FRAME, VALUE)) {
            return HIT;
        }
        if (startsWith(b, len, FRAME, END)) {
            return MISS;
        }
        return startsWith(b, len, FRAME, STORED) ? STORED_OK : OTHER;
    }

    /** The first word of a HIT's value (little-endian), or 0 when the reply is cut short. */
    static long hitValueWord(MemorySegment b, int len) {
        for (int i = FRAME + VALUE.length; i + 1 < len; i++) {
            if (b.get(JAVA_BYTE, i) == '\r' && b.get(JAVA_BYTE, i + 1) == '\n') {
                return i + 2 + 8 <= len ? b.get(JAVA_LONG_UNALIGNED, i + 2) : 0;
            }
        }
        return 0;
    }

    private static boolean startsWith(MemorySegment b, int len, int at, byte[] prefix) {
        if (at + prefix.length > len) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b.get(JAVA_BYTE, at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
