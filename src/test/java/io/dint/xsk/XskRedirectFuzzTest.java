package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.testing.FrameMutator;
import io.dint.testing.Frames;
import io.dint.testing.Fuzz;
import io.dint.testing.LockMessages;
import io.dint.wire.Op;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The redirect program through BPF_PROG_TEST_RUN with {@link Fuzz#frames} fuzzed frames: never
 * XDP_ABORTED, every frame untouched, and handed towards a socket exactly when it is IPv4/UDP
 * without options or fragments, for this host's MAC and a routed port — here no socket sits in the
 * slot, so those count as no_socket and go to the kernel like everything else.
 */
class XskRedirectFuzzTest {
    private static final int SERVICE = 20230;
    private static final int CLIENT = Frames.CLIENT_PORT;

    @Test
    void onlyOurFramesAreRedirectedAndNoneIsTouched() {
        int frames = Fuzz.frames();
        SplittableRandom rnd = new SplittableRandom(Fuzz.seed() ^ 0x75c);
        try (XskRedirect.Handles obj = XskRedirect.load(UdpFrame.macOf(Frames.SERVER_MAC))) {
            XskRedirect.route(obj, SERVICE, XskRedirect.BY_QUEUE);
            XskRedirect.route(obj, CLIENT, 5);
            BpfProgram p = obj.program();
            FrameMutator gen = new FrameMutator(rnd, seq -> LockMessages.request(Op.LOCK_ACQUIRE_SHARED, seq, 1, seq));
            long ours = 0;
            for (int i = 1; i <= frames; i++) {
                byte[] f = rnd.nextInt(8) == 0 ? swapPorts(gen.next()) : gen.next();
                TestRun r = p.testRun(f);
                String what = "frame " + i + " " + HexFormat.of().formatHex(f);
                assertThat(r.verdict()).as("no socket: to the kernel, %s", what).isEqualTo(Xdp.PASS);
                assertThat(r.output()).as("untouched: %s", what).isEqualTo(f);
                ours += ours(f) ? 1 : 0;
                if (i % 1000 == 0 || i == frames) {
                    assertThat(XskStat.RX.in(obj.object())).as("rx").isEqualTo(i);
                    assertThat(XskStat.NO_SOCKET.in(obj.object())).as("ours (no_socket) after %d frames", i).isEqualTo(ours);
                    assertThat(XskStat.PASS.in(obj.object())).as("not ours (pass)").isEqualTo(i - ours);
                    assertThat(XskStat.REDIRECT.in(obj.object())).as("redirect").isZero();
                }
            }
            assertThat(ours).as("frames of ours").isGreaterThan(frames / 5);
            Fuzz.report("xsk_redirect", frames);
        }
    }

    /** The oracle: IPv4/UDP without options or fragments, to the server's MAC, to a routed port. */
    private static boolean ours(byte[] f) {
        if (f.length < 42 || !Arrays.equals(f, 0, 6, Frames.SERVER_MAC, 0, 6) || f[12] != 0x08 || f[13] != 0
                || f[14] != 0x45 || f[23] != 17 || (((f[20] & 0xff) << 8 | (f[21] & 0xff)) & 0x3fff) != 0) {
            return false;
        }
        int port = (f[36] & 0xff) << 8 | (f[37] & 0xff);
        return port == SERVICE || port == CLIENT;
    }

    /** The frame as a reply to the client port (to exercise a client's route). */
    private static byte[] swapPorts(byte[] f) {
        if (f.length >= 38) {
            byte a = f[34], b = f[35];
            f[34] = f[36];
            f[35] = f[37];
            f[36] = a;
            f[37] = b;
        }
        return f;
    }
}
