package io.dint.xsk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.net.Ipv4;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetLinkTest {
    private static final List<String> ARP = List.of(
            "IP address       HW type     Flags       HW address            Mask     Device",
            "10.231.0.1       0x1         0x6         02:00:0a:e7:00:01     *        eth0",
            "10.231.0.2       0x1         0x0         00:00:00:00:00:00     *        eth0",
            "10.231.0.3       0x1         0x2         02:00:0a:e7:00:03     *        eth1");

    @Test
    void completeEntriesOnTheInterfaceResolve() {
        assertThat(NetLink.parseArp(ARP, Ipv4.parse("10.231.0.1"), "eth0")).isEqualTo(0x02000ae70001L);
        assertThat(NetLink.parseArp(ARP, Ipv4.parse("10.231.0.2"), "eth0")).as("incomplete").isNull();
        assertThat(NetLink.parseArp(ARP, Ipv4.parse("10.231.0.3"), "eth0")).as("other interface").isNull();
        assertThat(NetLink.parseArp(ARP, Ipv4.parse("10.231.0.9"), "eth0")).isNull();
    }

    @Test
    void loopbackIsReadThroughIoctls() {
        NetLink lo = NetLink.of("lo");
        assertThat(lo.index()).isPositive();
        assertThat(lo.mac()).isZero();
        assertThat(lo.rxQueues()).isGreaterThanOrEqualTo(1);
        assertThat(lo.mtu()).isPositive();
    }

    @Test
    void aMissingInterfaceSaysSo() {
        assertThatThrownBy(() -> NetLink.of("nosuchif0")).hasMessageContaining("nosuchif0").hasMessageContaining("ip link");
    }
}
