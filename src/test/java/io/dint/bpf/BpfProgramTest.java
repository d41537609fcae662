package io.dint.bpf;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpfProgramTest {

    @Test
    void passXdpPassesThePacketUnchanged() {
        byte[] frame = TestObjects.notOursFrame();
        try (BpfObject obj = BpfObject.openBundled("pass")) {
            obj.load();
            TestRun run = obj.program("pass_xdp").testRun(frame.clone(), 10);
            assertThat(run.verdict()).isEqualTo(Xdp.PASS);
            assertThat(run.output()).isEqualTo(frame);
            assertThat(run.durationNs()).isNotNegative();
        }
    }

    @Test
    void aTooShortFrameIsRefusedWithAReason() {
        try (BpfObject obj = BpfObject.openBundled("pass")) {
            obj.load();
            assertThatThrownBy(() -> obj.program("pass_xdp").testRun(new byte[4]))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("EINVAL")
                    .hasMessageContaining("14-byte");
        }
    }

    @Test
    void statsCountRunsWhileEnabled() {
        try (BpfObject obj = BpfObject.openBundled("pass")) {
            obj.load();
            BpfProgram pass = obj.program("pass_xdp");
            ProgStats before;
            ProgStats after;
            BpfStats stats = BpfStats.enable();
            try {
                before = pass.stats();
                pass.testRun(TestObjects.notOursFrame(), 1000);
                after = pass.stats();
            } finally {
                stats.close();
            }
            stats.close(); // a second close is harmless
            ProgStats delta = after.minus(before);
            assertThat(delta.runCount()).isGreaterThanOrEqualTo(1000);
            assertThat(delta.runTimeNs()).isPositive();
            assertThat(delta.nsPerRun()).isPositive();
        }
    }

    @Test
    void theTcProgramRunsOnTestInputToo() throws Exception {
        try (BpfObject obj = TestObjects.openFixture()) {
            obj.load();
            assertThat(obj.program("fixture_tc").testRun(TestObjects.notOursFrame()).verdict()).isEqualTo(Tc.OK);
        }
    }
}
