package io.dint.txn;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.client.ClientStats;
import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** A coordinator's settings are checked when it is made, and a wrong or missing one is named. */
class TxnEngineContextTest {
    private static final int[] SERVERS = {Ipv4.parse("127.0.0.1"), Ipv4.parse("127.0.0.2"), Ipv4.parse("127.0.0.3")};

    /** Makes an engine from a complete context changed by {@code change}, then drops it unrun. */
    private static void make(UnaryOperator<TxnEngine.Context> change) {
        try (UdpTransport transport = new UdpTransport(SERVERS[0], 4, 256)) {
            new TxnEngine(change.apply(new TxnEngine.Context().transport(transport).stats(new ClientStats())
                    .source(slot -> null).protocol(TxnEngine.Protocol.OCC).clientId(3).servers(SERVERS)));
        }
    }

    @Test
    void aCompleteContextMakesAnEngine() {
        assertThatCode(() -> make(c -> c)).doesNotThrowAnyException();
        assertThatCode(() -> make(c -> c.inflight(TxnEngine.MAX_INFLIGHT).clientId((1 << 24) - 1).port(1)))
                .doesNotThrowAnyException();
    }

    @Test
    void eachMissingSettingIsNamed() {
        assertThatThrownBy(() -> make(c -> c.transport(null))).hasMessageContaining("no transport");
        assertThatThrownBy(() -> make(c -> c.stats(null))).hasMessageContaining("no stats");
        assertThatThrownBy(() -> make(c -> c.source(null))).hasMessageContaining("no source");
        assertThatThrownBy(() -> make(c -> c.protocol(null))).hasMessageContaining("no protocol");
        assertThatThrownBy(() -> make(c -> c.clientId(-1))).hasMessageContaining("client id must be in 0..16777215");
        assertThatThrownBy(() -> new TxnEngine(new TxnEngine.Context().stats(new ClientStats())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("TxnEngine.Context: ");
    }

    @Test
    void eachSettingOutOfRangeIsNamedWithItsRange() {
        assertThatThrownBy(() -> make(c -> c.servers(new int[2]))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a cluster has 3 servers, got 2");
        assertThatThrownBy(() -> make(c -> c.clientId(1 << 24))).hasMessageContaining("got 16777216");
        assertThatThrownBy(() -> make(c -> c.inflight(TxnEngine.MAX_INFLIGHT + 1)))
                .hasMessageContaining("in-flight transactions per client must be in 1.." + TxnEngine.MAX_INFLIGHT)
                .hasMessageContaining("run more client threads");
        assertThatThrownBy(() -> make(c -> c.inflight(0))).hasMessageContaining("got 0");
        assertThatThrownBy(() -> make(c -> c.port(65_536))).hasMessageContaining("port must be in 1..65535");
        assertThatThrownBy(() -> make(c -> c.timeoutNanos(0))).hasMessageContaining("the timeout must be positive");
        assertThatThrownBy(() -> make(c -> c.giveUpAfter(-1))).hasMessageContaining("the give-up bound must be positive");
        assertThatThrownBy(() -> make(c -> c.lockLease(0))).hasMessageContaining("the lock lease must be positive");
        assertThatThrownBy(() -> make(c -> c.listener(null))).isInstanceOf(NullPointerException.class);
    }
}
