package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
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
     * frame left untouched, its counter and RX moved by one, nothing answered, no other counter moved.
     */
    public static void assertNeverAnswered(XdpFixture xdp, List<Case> cases) {
        xdp.run(cases.stream().map(Case::row).toList());
    }

    /**
     * As {@link #assertNeverAnswered(XdpFixture, List)} for a program run outside a fixture, with
     * fewer checks (its verdict, the frame untouched, its counter bumped, nothing answered, RX
     * counting exactly these frames): for the tests whose rows do not run on {@link XdpFixture} yet.
     */
    public static void assertNeverAnswered(BpfProgram prog, BpfMap stats, List<Case> cases) {
        long rx = stats.sumPerCpuLong(Stat.RX);
        for (Case c : cases) {
            long before = stats.sumPerCpuLong(c.stat());
            long tx = stats.sumPerCpuLong(Stat.TX);
            TestRun r = prog.testRun(c.frame(), 1);
            assertThat(r.verdict()).as(c.name()).isEqualTo(c.verdict());
            assertThat(r.output()).as(c.name() + ": frame untouched").isEqualTo(c.frame());
            assertThat(stats.sumPerCpuLong(c.stat())).as(c.name() + ": counted").isEqualTo(before + 1);
            assertThat(stats.sumPerCpuLong(Stat.TX)).as(c.name() + ": not answered").isEqualTo(tx);
        }
        assertThat(stats.sumPerCpuLong(Stat.RX) - rx).isEqualTo(cases.size());
    }
}
