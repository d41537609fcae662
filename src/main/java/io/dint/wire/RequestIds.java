package io.dint.wire;

import java.security.SecureRandom;

/**
 * Request ids that survive restarts ({@code dint_hdr} in dint_wire.h): a request's seq is
 * {@code incarnation << 32 | counter}. A client draws a random nonzero incarnation when it starts
 * and numbers its requests in the low 32 bits; the servers' dedup windows pick an entry by the
 * counter's low bits and match the whole seq, so a client that reuses a predecessor's client id
 * — a restarted process, a client made per call — shares its entries but never matches them. A
 * client whose counter space runs out draws a new incarnation instead of counting over old ids.
 */
public final class RequestIds {
    private RequestIds() {}

    /** Seeded by the operating system: two processes started at the same instant still differ. */
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A fresh incarnation: random, never 0 and never {@code previous}. */
    public static int newIncarnation(int previous) {
        int i;
        do {
            synchronized (RANDOM) {
                i = RANDOM.nextInt();
            }
        } while (i == 0 || i == previous);
        return i;
    }

    /** The seq of request {@code counter} (the low 32 bits) of {@code incarnation}. */
    public static long seq(int incarnation, int counter) {
        return (long) incarnation << Wire.SEQ_INCARNATION_SHIFT | Integer.toUnsignedLong(counter);
    }

    /** The incarnation a seq carries. */
    public static int incarnationOf(long seq) {
        return (int) (seq >>> Wire.SEQ_INCARNATION_SHIFT);
    }
}
