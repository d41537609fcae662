package io.dint.fuzz;

import static io.dint.fuzz.XdpJudge.ALLOW;
import static io.dint.fuzz.XdpJudge.DROP;
import static io.dint.fuzz.XdpJudge.GROWN;
import static io.dint.fuzz.XdpJudge.OUTCOMES;
import static io.dint.fuzz.XdpJudge.PASS;
import static io.dint.fuzz.XdpJudge.TX;
import static io.dint.fuzz.XdpJudge.judge;
import static io.dint.fuzz.XdpJudge.outcome;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.server.StatCounters;
import io.dint.testing.FrameMutator;
import io.dint.testing.Fuzz;
import io.dint.testing.ServiceProgram;
import io.dint.testing.WellFormed;
import io.dint.wire.Header;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every service's XDP program through BPF_PROG_TEST_RUN with {@link Fuzz#frames} frames from a
 * {@link FrameMutator}: well-formed requests, mutations of them and random bytes, from inside and
 * outside the allowlist. For every frame: never XDP_ABORTED; a reply (XDP_TX) or a request passed
 * up to the slow path only for what {@link WellFormed} calls a well-formed request, and never a
 * drop or an untouched pass of one; a reply that is the request turned around, its header echoed,
 * and byte for byte what the Java twin of the service answers (lock2pl, occ, kv); a slow-path trip
 * (Java slow path, then the TC egress program) completed with TC_ACT_OK ({@link XdpJudge} holds
 * each frame to these rules; {@link Twin} is the Java side of each service). After every batch of
 * {@link Twin#BATCH}: the counters account for every verdict, and the maps' invariants hold — lock
 * entries consistent and not spinning, no bucket locked, every cached key in its bucket with its
 * Bloom bit, ring cursors sane and one ring record per ACKed append.
 */
class XdpFuzzTest {
    private static final int[] DROPS = {Stat.DROP_IP_OPTIONS, Stat.DROP_TRUNCATED, Stat.DROP_BAD_LENGTH, Stat.DROP_BAD_OP,
        Stat.DROP_NOT_ALLOWED, Stat.DROP_BAD_HEADER};

    @ParameterizedTest
    @EnumSource(ServiceProgram.class)
    void everyFrameGetsAVerdictAndOnlyWellFormedRequestsAnAnswer(ServiceProgram service) {
        int frames = Fuzz.frames();
        SplittableRandom rnd = new SplittableRandom(Fuzz.seed() ^ service.ordinal());
        try (BpfObject obj = service.load(ALLOW); Twin twin = Twin.of(service)) {
            BpfProgram xdp = obj.program(service.program());
            BpfProgram tc = service.tcProgram() == null ? null : obj.program(service.tcProgram());
            twin.attach(obj);
            FrameMutator frames0 = new FrameMutator(rnd, seq -> twin.adjust(service.request(rnd, seq), rnd));
            StatCounters before = StatCounters.read(obj);
            int[] outcomes = new int[OUTCOMES];
            int ok = 0;
            for (int i = 1; i <= frames; i++) {
                byte[] f = frames0.next();
                TestRun r = xdp.testRun(f);
                String what = "frame " + i + " " + HexFormat.of().formatHex(f);
                byte[] reply = judge(service, f, r, twin, tc, what);
                int outcome = outcome(f, r);
                outcomes[outcome]++;
                ok += outcome == TX && Header.status(MemorySegment.ofArray(reply)) == Status.OK ? 1 : 0;
                if (i % Twin.BATCH == 0 || i == frames) {
                    StatCounters now = StatCounters.read(obj);
                    assertThat(now.since(before, Stat.RX)).as("RX counts every frame").isEqualTo(i);
                    assertThat(now.since(before, Stat.TX)).as("TX counts every reply").isEqualTo(outcomes[TX]);
                    assertThat(since(now, before, DROPS)).as("drop counters").isEqualTo(outcomes[DROP]);
                    assertThat(since(now, before, Stat.PASS_NOT_OURS, Stat.KV_SLOW)).as("pass counters")
                            .isEqualTo(outcomes[PASS] + outcomes[GROWN]);
                    twin.checkInvariants(obj, ok, "after " + i + " frames");
                    twin.batchDone(i / Twin.BATCH);
                }
            }
            twin.finish();
            assertThat(outcomes[TX] + outcomes[GROWN]).as("well-formed requests served").isGreaterThan(frames / 5);
            assertThat(outcomes[DROP]).as("frames dropped").isGreaterThan(frames / 10);
            if (tc != null) {
                assertThat(outcomes[GROWN]).as("slow-path trips").isPositive();
            }
            Fuzz.report(service.file(), frames);
        }
    }

    /** The bridge ports' program passes every frame untouched. */
    @Test
    void thePassProgramPassesEverythingUntouched() {
        int frames = Fuzz.frames();
        SplittableRandom rnd = new SplittableRandom(Fuzz.seed() ^ 0x9a55);
        FrameMutator gen = new FrameMutator(rnd, seq -> ServiceProgram.LOCK2PL.request(rnd, seq));
        try (BpfObject obj = BpfObject.openBundled("pass")) {
            obj.load();
            BpfProgram p = obj.program("pass_xdp");
            for (int i = 0; i < frames; i++) {
                byte[] f = gen.next();
                TestRun r = p.testRun(f);
                assertThat(r.verdict()).isEqualTo(Xdp.PASS);
                assertThat(r.output()).isEqualTo(f);
            }
        }
        Fuzz.report("pass", frames);
    }

    /** How much the counters {@code which} grew together since {@code before}. */
    private static long since(StatCounters now, StatCounters before, int... which) {
        long n = 0;
        for (int stat : which) {
            n += now.since(before, stat);
        }
        return n;
    }
}
