package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.bpf.Xdp;
import io.dint.lock.LockObject;
import io.dint.server.Allowlist;
import io.dint.wire.Hash64;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fixture runner fails a row for each thing the row gets wrong: every check it makes is
 * planted a fault here (on the 2PL program, whose replies are simplest) and seen to fail.
 */
class XdpFixtureTest {
    private static final int TABLE = ServiceProgram.LOCK_ENTRIES;

    @RegisterExtension
    final XdpFixture xdp = XdpFixture.of(ServiceProgram.LOCK2PL, Allowlist.ANY);

    private XdpCase acquire(String description, long lockId, long txn) {
        return XdpCase.request(description, LockMessages.request(Op.LOCK_ACQUIRE_EXCLUSIVE, lockId, txn, xdp.nextSeq()));
    }

    private int exclusive(long lockId) {
        return xdp.element(LockObject.TABLE, Hash64.index(lockId, TABLE)).get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE);
    }

    @Test
    void aRightTablePasses() {
        byte[] arp = Frames.udpTo(Wire.PORT).etherType(0x0806).payload(new byte[Wire.LOCK_MSG_SIZE]).build();
        xdp.run(
            acquire("a grant", 1, 7).answers(Status.GRANT).counts(Stat.GRANT).leaves("exclusive grants", () -> exclusive(1), 1),
            acquire("a reject", 1, 8).answers(Status.REJECT).counts(Stat.REJECT).keeps("exclusive grants", () -> exclusive(1)),
            XdpCase.frame("ARP", arp).verdict(Xdp.PASS).untouched().counts(Stat.PASS_NOT_OURS));
        assertThat(xdp.counters().get(Stat.RX)).isEqualTo(3);
        assertThat(xdp.stat(Stat.TX)).isEqualTo(2);
    }

    @Test
    void aWrongVerdictFails() {
        assertThatThrownBy(() -> xdp.run(acquire("a grant said dropped", 2, 7).verdict(Xdp.DROP)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("row 'a grant said dropped': verdict")
                .hasMessageContaining("XDP_TX");
    }

    @Test
    void aWrongReplyFails() {
        assertThatThrownBy(() -> xdp.run(acquire("a grant said rejected", 3, 7).answers(Status.REJECT).counts(Stat.GRANT)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("row 'a grant said rejected': output frame");
    }

    @Test
    void anOutputSaidUntouchedThatIsNotFails() {
        assertThatThrownBy(() -> xdp.run(acquire("an answer said untouched", 4, 7).verdict(Xdp.TX).untouched()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("output frame");
    }

    @Test
    void aReplyViewThatDiffersFails() {
        assertThatThrownBy(() -> xdp.run(acquire("a grant viewed", 5, 7).replyThat("status", Messages::status, Status.REJECT)
                .counts(Stat.GRANT)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("row 'a grant viewed': status");
    }

    @Test
    void aCounterThatMovesUnnamedFails() {
        assertThatThrownBy(() -> xdp.run(acquire("a grant without its counter", 6, 7).answers(Status.GRANT)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("counter grant moved");
    }

    @Test
    void aNamedCounterThatDoesNotMoveFails() {
        assertThatThrownBy(() -> xdp.run(acquire("a grant counted twice", 7, 7).answers(Status.GRANT).counts(Stat.GRANT, 2)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("counter grant moved");
        assertThatThrownBy(() -> xdp.run(acquire("a grant said not sent", 8, 7).answers(Status.GRANT).counts(Stat.GRANT)
                .counts(Stat.TX, 0)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("counter tx moved");
    }

    @Test
    void aStateLeftOtherwiseFails() {
        assertThatThrownBy(() -> xdp.run(acquire("a grant said to leave nothing", 9, 7).answers(Status.GRANT).counts(Stat.GRANT)
                .leaves("exclusive grants", () -> exclusive(9), 0)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("exclusive grants after");
        assertThatThrownBy(() -> xdp.run(acquire("a grant said to change nothing", 10, 7).answers(Status.GRANT).counts(Stat.GRANT)
                .keeps("exclusive grants", () -> exclusive(10))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("exclusive grants after");
    }

    @Test
    void aFailingCheckOfItsOwnFailsTheRow() {
        assertThatThrownBy(() -> xdp.run(acquire("a grant", 11, 7).answers(Status.GRANT).counts(Stat.GRANT)
                .then(() -> assertThat(exclusive(11)).as("planted").isZero())))
                .isInstanceOf(AssertionError.class).hasMessageContaining("planted");
    }

    @Test
    void aRowWithoutAVerdictIsRefused() {
        assertThatThrownBy(() -> xdp.run(acquire("no verdict", 12, 7)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("states no verdict");
        assertThatThrownBy(() -> XdpCase.frame("raw", new byte[60]).answers(Status.OK))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("XdpCase.request");
    }

    @Test
    void theRowsRunInOrderAndStopAtTheFirstFailure() {
        assertThatThrownBy(() -> xdp.run(
            acquire("a grant", 13, 7).answers(Status.GRANT).counts(Stat.GRANT),
            acquire("a second grant to another", 13, 8).answers(Status.GRANT).counts(Stat.GRANT),
            acquire("never run", 14, 7).answers(Status.GRANT).counts(Stat.GRANT)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("a second grant to another");
        assertThat(exclusive(14)).as("the row after the failure did not run").isZero();
    }
}
