package io.dint.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfProgram;
import io.dint.bpf.Tc;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.server.Allowlist;
import io.dint.testing.Frames;
import io.dint.testing.ServiceProgram;
import io.dint.testing.WellFormed;
import io.dint.wire.Header;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The fuzz tests' judge of one frame's test run ({@link #judge}): the verdict a program may give
 * it, by {@link WellFormed}'s rules; the reply, the request turned around and what the service's
 * {@link Twin} answers; a slow-path trip, completed through the twin's slow path and the TC egress
 * program. {@link XdpJudgeTest} holds it to failing a program that breaks the rules.
 */
final class XdpJudge {
    private XdpJudge() {}

    /** The allowlist the fuzzed programs are loaded with: the fixtures' client is inside it, a mutated source mostly not. */
    static final Allowlist ALLOW = Allowlist.parse("10.231.0.0/24");

    static final int TX = 0, PASS = 1, GROWN = 2, DROP = 3, OUTCOMES = 4;

    /** TX, PASS (untouched), GROWN (passed up to the slow path) or DROP; {@link #judge} has checked the verdict. */
    static int outcome(byte[] f, TestRun r) {
        return switch (r.verdict()) {
            case Xdp.TX -> TX;
            case Xdp.DROP -> DROP;
            default -> Arrays.equals(r.output(), f) ? PASS : GROWN;
        };
    }

    /**
     * Holds one frame's test run to the rules: never XDP_ABORTED (or any verdict but TX, PASS,
     * DROP); a reply or a pass up to the slow path only for a well-formed request, whose reply is
     * the request turned around and what the twin answers; a drop or an untouched pass never for a
     * well-formed request. Completes a slow-path trip through the twin's slow path and {@code tc}.
     * Returns the reply payload, or null when there is none.
     */
    static byte[] judge(ServiceProgram service, byte[] f, TestRun r, Twin twin, BpfProgram tc, String what) {
        byte[] request = WellFormed.request(f, service, ALLOW);
        switch (r.verdict()) {
            case Xdp.TX -> {
                assertThat(request).as("answered, so well-formed: %s", what).isNotNull();
                byte[] reply = reply(f, r.output(), service.size(), what);
                twin.compare(request, reply, what);
                return reply;
            }
            case Xdp.PASS -> {
                if (Arrays.equals(r.output(), f)) {
                    assertThat(request).as("a well-formed request passed up untouched: %s", what).isNull();
                    return null;
                }
                assertThat(request).as("passed up to the slow path, so well-formed: %s", what).isNotNull();
                assertThat(tc).as("grown by a service without slow path: %s", what).isNotNull();
                byte[] reply = slowPathTrip(r.output(), twin, tc, service.size(), what);
                twin.compare(request, reply, what);
                return reply;
            }
            case Xdp.DROP -> {
                assertThat(r.output()).as("dropped untouched: %s", what).isEqualTo(f);
                assertThat(request).as("a well-formed request dropped: %s", what).isNull();
                return null;
            }
            default -> throw new AssertionError("verdict " + r.verdict() + " (never XDP_ABORTED): " + what);
        }
    }

    /** The reply payload of an XDP_TX frame, after checking the frame is the request turned around with the header echoed. */
    static byte[] reply(byte[] request, byte[] out, int size, String what) {
        byte[] reply = Arrays.copyOfRange(out, WellFormed.PAYLOAD, WellFormed.PAYLOAD + size);
        assertThat(out).as("the reply frame: %s", what).isEqualTo(Frames.expectedReply(request, reply));
        MemorySegment q = MemorySegment.ofArray(Arrays.copyOfRange(request, WellFormed.PAYLOAD, WellFormed.PAYLOAD + size));
        MemorySegment a = MemorySegment.ofArray(reply);
        assertThat(Header.op(a)).as("op echoed: %s", what).isEqualTo(Header.op(q));
        assertThat(Header.clientId(a)).as("client echoed: %s", what).isEqualTo(Header.clientId(q));
        assertThat(Header.seq(a)).as("seq echoed: %s", what).isEqualTo(Header.seq(q));
        assertThat(Header.status(a)).as("a reply's status: %s", what).isNotEqualTo(Status.REQUEST);
        return reply;
    }

    /**
     * Completes a request XDP passed up: its datagram served by the Java slow path, whose reply (the
     * frame the stack would send: the request's headers turned around, no padding) goes through the
     * TC egress program, which must let it out shrunk to the plain message. Returns its payload.
     */
    static byte[] slowPathTrip(byte[] grown, Twin twin, BpfProgram tc, int size, String what) {
        int ipLen = WellFormed.u16(grown, 16);
        byte[] datagram = Arrays.copyOf(grown, 14 + ipLen);
        byte[] up = Arrays.copyOfRange(datagram, WellFormed.PAYLOAD, datagram.length);
        assertThat(up.length).as("grown by a trailer: %s", what).isEqualTo(size + Wire.KV_SLOW_SIZE);
        assertThat(Frames.ipChecksum(datagram, 14, 20)).as("grown frame's IP checksum: %s", what)
                .isEqualTo(WellFormed.u16(datagram, 24));
        byte[] slowReply = twin.slowPath(up);
        assertThat(slowReply).as("the slow path answers what XDP passed up: %s", what).isNotNull();
        TestRun e = tc.testRun(Frames.expectedReply(datagram, slowReply));
        assertThat(e.verdict()).as("TC verdict: %s", what).isEqualTo(Tc.OK);
        byte[] out = e.output();
        assertThat(out.length).as("shrunk: %s", what).isEqualTo(WellFormed.PAYLOAD + size);
        assertThat(WellFormed.u16(out, 16)).isEqualTo(28 + size);
        assertThat(WellFormed.u16(out, 38)).isEqualTo(8 + size);
        assertThat(Frames.ipChecksum(out, 14, 20)).as("IP checksum after TC: %s", what).isEqualTo(WellFormed.u16(out, 24));
        return Arrays.copyOfRange(out, WellFormed.PAYLOAD, WellFormed.PAYLOAD + size);
    }
}
