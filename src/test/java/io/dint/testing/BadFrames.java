package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Xdp;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Frames that are not well-formed requests of a service, each with the verdict and the counter
 * the service's XDP program must give it: the Katran-style table every service's fixtures run.
 */
public final class BadFrames {
    private BadFrames() {}

    /** A frame, the verdict it must get and the one counter besides RX it must move. */
    public record Case(String name, byte[] frame, int verdict, int stat) {
        /** This case as a fixture row: its verdict, the frame untouched, its counter and RX moved, nothing else. */
        public XdpCase row() {
            return XdpCase.frame(name, frame).verdict(verdict).untouched().counts(stat);
        }
    }

    /**
     * What every service program must refuse, built around one well-formed request payload: not
     * ours (passed), not parseable here (passed), truncated or of a bad length (dropped).
     */
    public static List<Case> around(byte[] req) {
        byte[] good = Frames.udpTo(Wire.PORT).payload(req).build();
        return new ArrayList<>(List.of(
            new Case("another host's MAC (a bridge flooding)", Frames.udpTo(Wire.PORT).dstMac(new byte[] {2, 0, 0, 0, 0, 9}).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("wrong port", Frames.udpTo(Wire.PORT + 1).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("IPv6 ethertype", Frames.udpTo(Wire.PORT).etherType(0x86dd).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("ARP", Frames.udpTo(Wire.PORT).etherType(0x0806).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("TCP", Frames.udpTo(Wire.PORT).protocol(6).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("bare Ethernet header", Arrays.copyOf(good, 14), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("cut inside the IP header", Arrays.copyOf(good, 14 + 10), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("cut inside the UDP header", Arrays.copyOf(good, 14 + 20 + 4), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("IP version 6 under the IPv4 ethertype", Frames.udpTo(Wire.PORT).versionIhl(0x65).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("IHL 4: no IPv4 header", Frames.udpTo(Wire.PORT).versionIhl(0x44).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("IHL 0", Frames.udpTo(Wire.PORT).versionIhl(0x40).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("a VLAN tag (the stack's, if it has the VLAN)", Frames.udpTo(Wire.PORT).vlan(100).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("IP options", Frames.udpTo(Wire.PORT).ipOptions(2).payload(req).build(), Xdp.DROP, Stat.DROP_IP_OPTIONS),
            new Case("IP options, another port", Frames.udpTo(Wire.PORT + 1).ipOptions(2).payload(req).build(), Xdp.PASS, Stat.PASS_NOT_OURS),
            new Case("first fragment", Frames.udpTo(Wire.PORT).fragmentOffset(0x2000).payload(req).build(), Xdp.DROP, Stat.DROP_IP_OPTIONS),
            new Case("last fragment", Frames.udpTo(Wire.PORT).fragmentOffset(0x0010).payload(req).build(), Xdp.DROP, Stat.DROP_IP_OPTIONS),
            new Case("wrong IP checksum", Frames.udpTo(Wire.PORT).checksumXor(0x0100).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_HEADER),
            new Case("a group source MAC", Frames.udpTo(Wire.PORT).srcMac(new byte[] {3, 0, 0, 0, 0, 1}).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_HEADER),
            new Case("broadcast source address", Frames.udpTo(Wire.PORT).srcIp(-1).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_HEADER),
            new Case("multicast source address", Frames.udpTo(Wire.PORT).srcIp(0xe0000001).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_HEADER),
            new Case("source address 0.0.0.0", Frames.udpTo(Wire.PORT).srcIp(0).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_HEADER),
            new Case("loopback source address", Frames.udpTo(Wire.PORT).srcIp(0x7f000001).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_HEADER),
            new Case("IP total length one more, alone", Frames.udpTo(Wire.PORT).totalLengthDelta(1).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_LENGTH),
            new Case("IP total length one less, alone", Frames.udpTo(Wire.PORT).totalLengthDelta(-1).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_LENGTH),
            new Case("payload cut short", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, 20)).build(), Xdp.DROP, Stat.DROP_TRUNCATED),
            new Case("payload one byte short", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, req.length - 1)).build(), Xdp.DROP, Stat.DROP_TRUNCATED),
            new Case("empty payload", Frames.udpTo(Wire.PORT).payload(new byte[0]).build(), Xdp.DROP, Stat.DROP_TRUNCATED),
            new Case("frame shorter than UDP length", Arrays.copyOf(good, good.length - 3), Xdp.DROP, Stat.DROP_BAD_LENGTH),
            new Case("UDP length beyond frame", Frames.udpTo(Wire.PORT).udpLengthDelta(8).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_LENGTH),
            new Case("UDP length below header", Frames.udpTo(Wire.PORT).udpLengthDelta(-(8 + req.length) + 4).payload(req).build(), Xdp.DROP, Stat.DROP_BAD_LENGTH),
            new Case("payload longer than the message", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, req.length + 8)).build(), Xdp.DROP, Stat.DROP_BAD_LENGTH),
            new Case("oversize", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, Wire.MAX_PAYLOAD + 1)).build(), Xdp.DROP, Stat.DROP_BAD_LENGTH)));
    }

    /**
     * Every bad frame {@code service} must refuse, made of its well-formed request {@code req}: the
     * frames {@link #around} it, and the requests it drops as bad ({@link Stat#DROP_BAD_OP}): opcode
     * 0, the opcodes next to its range, one the header does not define, every opcode of every other
     * service, {@code req} sent as a reply ({@code replyStatus}), and the fields it refuses
     * ({@link ServiceProgram.Refusal}). Each is checked not to be a request the service serves
     * ({@link ServiceProgram#serves}).
     */
    public static List<Case> of(ServiceProgram service, byte[] req, int replyStatus) {
        List<Case> cases = around(req);
        List<Case> bad = new ArrayList<>();
        bad.add(badOp("opcode 0", withOp(req, 0)));
        if (service.opLo - 1 > 0) {
            bad.add(badOp("the opcode before its range", withOp(req, service.opLo - 1)));
        }
        bad.add(badOp("the opcode after its range", withOp(req, service.opHi + 1)));
        bad.add(badOp("an opcode the header does not define", withOp(req, Op.MAX)));
        for (ServiceProgram other : ServiceProgram.values()) {
            for (int op = other.opLo; op <= other.opHi && other != service; op++) {
                bad.add(badOp(other.file() + "'s opcode " + Op.name(op), withOp(req, op)));
            }
        }
        bad.add(badOp("a reply sent to us", Messages.withStatus(req, replyStatus)));
        for (ServiceProgram.Refusal r : service.refused()) {
            bad.add(badOp(r.what(), r.applyTo(req)));
        }
        for (Case c : bad) {
            if (service.serves(Arrays.copyOfRange(c.frame(), Frames.payloadOffset(c.frame()), c.frame().length))) {
                throw new IllegalStateException("'" + c.name() + "' is a request " + service + " serves: not a bad one");
            }
        }
        cases.addAll(bad);
        return cases;
    }

    /** A payload of the right length that the service must refuse as a bad request. */
    public static Case badOp(String name, byte[] payload) {
        return new Case(name, Frames.udpTo(Wire.PORT).payload(payload).build(), Xdp.DROP, Stat.DROP_BAD_OP);
    }

    /** The request payload with its opcode replaced ({@link Messages#withOp}). */
    public static byte[] withOp(byte[] req, int op) {
        return Messages.withOp(req, op);
    }

    /**
     * Runs every case once as a row of {@code xdp}'s table ({@link Case#row}): its verdict, the
     * frame left untouched, its counter and RX moved by one, nothing answered, no other counter
     * moved; RX counted exactly these frames.
     */
    public static void assertNeverAnswered(XdpFixture xdp, List<Case> cases) {
        long rx = xdp.stat(Stat.RX);
        xdp.run(cases.stream().map(Case::row).toList());
        assertThat(xdp.stat(Stat.RX) - rx).as("RX counted exactly these frames").isEqualTo(cases.size());
    }

}
