package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfProgram;
import io.dint.bpf.Tc;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.wire.Wire;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * One request's way through a service with an in-kernel cache, all in BPF_PROG_TEST_RUN: the
 * request frame through the XDP program; when passed up, the grown payload through the Java slow
 * path and its reply, as the slow path's socket would send it, through the TC egress program.
 *
 * @param verdict   the XDP verdict: TX (answered in the kernel) or PASS (slow path)
 * @param grown     the frame XDP passed up, or null
 * @param slowReply the slow path's reply payload (message + trailer), or null
 * @param reply     the reply payload the client gets, or null when the slow path sent none
 */
public record SlowPathTrip(int verdict, byte[] grown, byte[] slowReply, byte[] reply) {

    public boolean slowPath() {
        return verdict == Xdp.PASS;
    }

    /**
     * Sends {@code payload} ({@code msgSize} bytes, of which XDP leaves the first {@code untouched}
     * as they were when it passes the request up); fails the test on any XDP verdict but TX or
     * PASS, on a TC verdict other than OK, and on frames that are not exactly what they should be.
     *
     * @param slow serves a grown payload; returns its reply or null when it sends none
     */
    public static SlowPathTrip send(BpfProgram xdp, BpfProgram tc, int msgSize, int untouched, byte[] payload,
                                    UnaryOperator<byte[]> slow) {
        byte[] frame = Frames.udpTo(Wire.PORT).payload(payload).build();
        TestRun r = xdp.testRun(frame);
        int off = Frames.payloadOffset(frame);
        if (r.verdict() == Xdp.TX) {
            byte[] reply = Arrays.copyOfRange(r.output(), off, off + msgSize);
            assertThat(r.output()).as("XDP reply frame").isEqualTo(Frames.expectedReply(frame, reply));
            return new SlowPathTrip(Xdp.TX, null, null, reply);
        }
        assertThat(r.verdict()).as("XDP verdict of a well-formed request").isEqualTo(Xdp.PASS);
        byte[] grown = r.output();
        checkGrown(frame, grown, untouched);
        byte[] slowReply = slow.apply(Arrays.copyOfRange(grown, off, grown.length));
        if (slowReply == null) {
            return new SlowPathTrip(Xdp.PASS, grown, null, null);
        }
        TestRun e = tc.testRun(Frames.expectedReply(grown, slowReply));
        assertThat(e.verdict()).as("TC verdict").isEqualTo(Tc.OK);
        byte[] reply = Arrays.copyOf(slowReply, msgSize);
        assertThat(e.output()).as("TC shrinks the reply back to a plain message, lengths and IP checksum fixed")
                .isEqualTo(Frames.expectedReply(frame, reply));
        return new SlowPathTrip(Xdp.PASS, grown, slowReply, reply);
    }

    /** The frame as XDP grew it: the request, its trailer, lengths and IP checksum fixed. */
    private static void checkGrown(byte[] frame, byte[] grown, int untouched) {
        assertThat(grown.length).as("grown by a dint_kv_slow").isEqualTo(frame.length + Wire.KV_SLOW_SIZE);
        assertThat(Arrays.copyOfRange(grown, 0, 14)).as("Ethernet header untouched").isEqualTo(Arrays.copyOf(frame, 14));
        int ipLen = ((grown[16] & 0xff) << 8) | (grown[17] & 0xff);
        int udpLen = ((grown[38] & 0xff) << 8) | (grown[39] & 0xff);
        assertThat(ipLen).isEqualTo(grown.length - 14);
        assertThat(udpLen).isEqualTo(grown.length - 34);
        int check = ((grown[24] & 0xff) << 8) | (grown[25] & 0xff);
        assertThat(check).as("IP checksum").isEqualTo(Frames.ipChecksum(grown, 14, 20));
        assertThat(grown[40] | grown[41]).as("UDP checksum 0").isZero();
        int off = Frames.payloadOffset(frame);
        // the header's reserved field is the service's to use (a shard stamps its epoch there)
        byte[] up = Arrays.copyOfRange(grown, off, off + untouched), sent = Arrays.copyOfRange(frame, off, off + untouched);
        up[Wire.HDR_RESERVED] = up[Wire.HDR_RESERVED + 1] = sent[Wire.HDR_RESERVED] = sent[Wire.HDR_RESERVED + 1] = 0;
        assertThat(up).as("request untouched").isEqualTo(sent);
    }
}
