package io.dint.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.TestObjects;
import io.dint.bpf.Xdp;
import io.dint.testing.FrameMutator;
import io.dint.testing.ServiceProgram;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link XdpJudge}, which the fuzz tests trust with every frame, fails what it must. */
class XdpJudgeTest {
    /**
     * The judge fails a program that answers what it should not, drops a well-formed request or
     * aborts: the test fixture's XDP program, whose verdict is a constant, stands in for a broken
     * lock2pl.
     */
    @ParameterizedTest
    @ValueSource(ints = {Xdp.TX, Xdp.DROP, Xdp.PASS, Xdp.ABORTED})
    void theJudgeFailsAProgramThatBreaksTheRules(int verdict) throws Exception {
        SplittableRandom rnd = new SplittableRandom(1);
        FrameMutator gen = new FrameMutator(rnd, seq -> ServiceProgram.LOCK2PL.request(rnd, seq));
        try (BpfObject fixture = TestObjects.openFixture(); Twin twin = Twin.of(ServiceProgram.LOCK2PL);
             Arena arena = Arena.ofConfined()) {
            fixture.variable("verdict").set(arena.allocateFrom(ValueLayout.JAVA_INT, verdict));
            fixture.load();
            BpfProgram p = fixture.program("fixture_xdp");
            int failed = 0;
            for (int i = 0; i < 50; i++) {
                byte[] f = gen.next();
                try {
                    XdpJudge.judge(ServiceProgram.LOCK2PL, f, p.testRun(f), twin, null, "frame " + i);
                } catch (AssertionError expected) {
                    failed++;
                }
            }
            assertThat(failed).as("frames judged wrong among 50").isPositive();
        }
    }
}
