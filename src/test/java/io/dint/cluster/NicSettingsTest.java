package io.dint.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the NIC steps read out of ethtool's reports, from reports as ethtool prints them. */
class NicSettingsTest {

    @Test
    void readsCoalescingIncludingWhatTheDeviceDoesNotHave() {
        String report = """
                Coalesce parameters for eth0:
                Adaptive RX: off  TX: n/a
                stats-block-usecs: n/a

                rx-usecs: 8
                rx-frames: 1
                rx-usecs-irq: n/a

                tx-usecs: 16
                tx-frames: 1
                tx-usecs-low: n/a
                """;
        assertThat(NicSettings.coalescing(report)).containsExactly(Map.entry("adaptive-rx", "off"),
                Map.entry("adaptive-tx", "n/a"), Map.entry("rx-usecs", "8"), Map.entry("tx-usecs", "16"));
        assertThat(NicSettings.coalescing("Coalesce parameters for eth0:\n")).isEmpty();
    }

    @Test
    void readsTheUdpHashFieldsInEthtoolsLetters() {
        assertThat(NicSettings.udp4Hash("""
                UDP over IPV4 flows use these fields for computing Hash flow key:
                IP SA
                IP DA
                L4 bytes 0 & 1 [TCP/UDP src port]
                L4 bytes 2 & 3 [TCP/UDP dst port]
                """)).isEqualTo("sdfn");
        assertThat(NicSettings.udp4Hash("UDP over IPV4 flows use these fields for computing Hash flow key:\nIP SA\nIP DA\n"))
                .isEqualTo("sd");
        assertThat(NicSettings.udp4Hash("UDP over IPV4 flows use these fields for computing Hash flow key:\nNone\n"))
                .isEqualTo("none");
    }

    @Test
    void readsQueueCountsAtMostAndNow() {
        NicSettings.Channels ch = NicSettings.channels("""
                Channel parameters for ens1f0np0:
                Pre-set maximums:
                RX:		n/a
                TX:		n/a
                Other:		1
                Combined:	63
                Current hardware settings:
                RX:		n/a
                TX:		n/a
                Other:		1
                Combined:	8
                """);
        assertThat(ch.max()).containsExactly(Map.entry("Other", 1), Map.entry("Combined", 63));
        assertThat(ch.current()).containsExactly(Map.entry("Other", 1), Map.entry("Combined", 8));
        assertThat(NicSettings.channels("Channel parameters for eth0:\nPre-set maximums:\nCombined:\t1\n")).isNull();
    }
}
