package io.dint.cluster;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.Tc;
import io.dint.testing.Frames;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault program's choice of frames ({@code chaos.bpf.c}), through BPF_PROG_TEST_RUN with every
 * frame of DINT's dropped: it takes whole IPv4/UDP datagrams from or to DINT's port, and never
 * touches anything else, which goes on (TC_ACT_OK) uncounted.
 */
class ChaosProgramTest {
    /** The interface a test run's skb is on: the loopback device. */
    private static final int TEST_RUN_IFINDEX = 1;

    private BpfObject chaos;

    @BeforeEach
    void load() {
        chaos = BpfObject.openBundled("chaos");
        chaos.load();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(JAVA_INT);
            key.set(JAVA_INT, 0, TEST_RUN_IFINDEX);
            MemorySegment faults = arena.allocate(WireFaults.FAULTS);
            faults.set(JAVA_INT, 0, 1_000_000); // drop_ppm: every frame it takes
            chaos.map("faults").update(key, faults);
        }
    }

    @AfterEach
    void close() {
        chaos.close();
    }

    private int egress(byte[] frame) {
        return chaos.program("chaos_egress").testRun(frame).verdict();
    }

    private long counted(int stat) {
        BpfMap stats = chaos.map("chaos_stats");
        return stats.sumPerCpuLong(stat);
    }

    /** A DINT reply: the frame's UDP ports swapped, from DINT's port. */
    private static byte[] fromDintPort(byte[] frame) {
        byte[] f = frame.clone();
        int udp = 14 + 20;
        f[udp] = (byte) (Wire.PORT >> 8);
        f[udp + 1] = (byte) Wire.PORT;
        f[udp + 2] = (byte) (Frames.CLIENT_PORT >> 8);
        f[udp + 3] = (byte) Frames.CLIENT_PORT;
        return f;
    }

    @Test
    void dintsDatagramsBothWaysAreTakenAndNothingElse() {
        byte[] payload = new byte[40];
        byte[] request = Frames.udpTo(Wire.PORT).payload(payload).build();
        assertThat(egress(request)).as("a request to DINT's port").isEqualTo(Tc.SHOT);
        assertThat(egress(fromDintPort(Frames.udpTo(Frames.CLIENT_PORT).payload(payload).build())))
                .as("a reply from DINT's port").isEqualTo(Tc.SHOT);

        byte[][] others = {
            Frames.udpTo(Wire.PORT + 1).payload(payload).build(),
            Frames.udpTo(Wire.PORT).payload(payload).etherType(0x0806).build(),
            Frames.udpTo(Wire.PORT).payload(payload).protocol(6).build(),
            Frames.udpTo(Wire.PORT).payload(payload).versionIhl(0x65).build(),
            Frames.udpTo(Wire.PORT).payload(payload).ipOptions(2).build(),
            Frames.udpTo(Wire.PORT).payload(payload).fragmentOffset(0x2000).build(),
            Frames.udpTo(Wire.PORT).payload(payload).fragmentOffset(0x0010).build(),
            Arrays.copyOf(request, 14 + 20 + 4),
        };
        String[] what = {"another port", "ARP", "TCP", "IP version 6 under the IPv4 type", "IP options", "a first fragment",
            "a later fragment whose bytes read as DINT's port", "a UDP header cut short"};
        for (int i = 0; i < others.length; i++) {
            assertThat(egress(others[i])).as(what[i]).isEqualTo(Tc.OK);
        }
        assertThat(counted(WireFaults.SEEN)).as("seen").isEqualTo(2);
        assertThat(counted(WireFaults.DROPPED)).as("dropped").isEqualTo(2);
    }
}
