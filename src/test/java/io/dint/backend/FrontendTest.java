package io.dint.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.server.Allowlist;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A backend by its name, and the frontend's choice of a Java server: only udp and afxdp serve a
 * Java service, udp with a ring per thread, afxdp with its one thread's.
 */
class FrontendTest {
    private static Frontend front(Backend b) {
        return new Frontend(b, "lo", 0, 3, Allowlist.ANY);
    }

    @Test
    void aBackendIsNamedByItsId() {
        for (Backend b : Backend.values()) {
            assertThat(Backend.parse(b.id())).isEqualTo(b);
            assertThat(Backend.parse(b.id().toUpperCase())).isEqualTo(b);
            assertThat(b.toString()).isEqualTo(b.id());
        }
        assertThat(List.of(Backend.values()).stream().map(Backend::id)).containsExactly("xdp", "udp", "afxdp", "memcached");
        assertThatThrownBy(() -> Backend.parse("dpdk")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown backend 'dpdk': use one of [xdp, udp, afxdp, memcached]");
    }

    @Test
    void onlyTheJavaBackendsServeAJavaService() {
        for (Backend b : List.of(Backend.XDP, Backend.MEMCACHED)) {
            assertThatThrownBy(() -> front(b).java((buf, len, stats) -> len)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the " + b.id() + " backend does not serve a Java service");
        }
    }

    @Test
    void aJavaServerThreadHasARingOfItsOwn() {
        assertThat(front(Backend.UDP).javaThreads()).as("udp: one per thread").isEqualTo(3);
        assertThat(front(Backend.AFXDP).javaThreads()).as("afxdp: one busy-polling thread").isEqualTo(1);
    }
}
