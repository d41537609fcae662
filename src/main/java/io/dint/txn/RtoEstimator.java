package io.dint.txn;

/**
 * The coordinator's retransmission timeout (RFC 6298): the smoothed round trip plus four times its
 * variation, from requests answered without a resend (Karn: a resent request's reply may answer
 * either copy), kept between {@link #MIN_RTO_NANOS} and the configured timeout; each resend of a
 * request doubles its own timeout up to {@link #MAX_BACKOFF_NANOS} (or the configured timeout, if
 * longer). A lost datagram then costs about one round trip of waiting instead of the configured
 * timeout, and a server that is down is not flooded.
 */
final class RtoEstimator {
    /** The shortest timeout: below it a busy server's queueing alone would cause resends. */
    static final long MIN_RTO_NANOS = 2_000_000L;
    /** The longest a request waits between resends once it has been resent a few times. */
    static final long MAX_BACKOFF_NANOS = 200_000_000L;

    private final long ceiling;
    private long srtt = -1;
    private long rttvar;
    private long rto;

    /** @param timeoutNanos the configured timeout: the first requests' and the most any estimate gives */
    RtoEstimator(long timeoutNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("the timeout must be positive, got " + timeoutNanos + " ns");
        }
        this.ceiling = timeoutNanos;
        this.rto = timeoutNanos;
    }

    /** A round trip of a request answered without a resend: srtt += (rtt - srtt) / 8, rttvar += (|rtt - srtt| - rttvar) / 4. */
    void sample(long rtt) {
        if (srtt < 0) {
            srtt = rtt;
            rttvar = rtt / 2;
        } else {
            rttvar += (Math.abs(rtt - srtt) - rttvar) / 4;
            srtt += (rtt - srtt) / 8;
        }
        rto = Math.max(Math.min(MIN_RTO_NANOS, ceiling), Math.min(srtt + 4 * rttvar, ceiling));
    }

    /** The timeout a fresh request gets now (ns). */
    long rto() {
        return rto;
    }

    /** The timeout of a request resent after waiting {@code current}: doubled, up to the backoff cap. */
    long backoff(long current) {
        return Math.min(2 * current, Math.max(MAX_BACKOFF_NANOS, ceiling));
    }
}
