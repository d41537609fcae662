package io.dint.bpf;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Attaches programs to a real veth pair (dintt0a/dintt0b), created for these tests only. */
class AttachTest {

    private static Veth veth;

    @BeforeAll
    static void createVeth() throws Exception {
        Veth.removeLeftovers();
        veth = Veth.create("dintt0a", "dintt0b");
    }

    @AfterAll
    static void deleteVeth() throws Exception {
        if (veth != null) {
            veth.close();
        }
    }

    private static String link() throws Exception {
        return Shell.run("ip", "-d", "link", "show", "dev", veth.a);
    }

    @Test
    void xdpThroughALinkIsDetachedOnClose() throws Exception {
        try (BpfObject obj = BpfObject.openBundled("pass")) {
            obj.load();
            int ifindex = NetIf.index(veth.a);
            BpfLink link = obj.program("pass_xdp").attachXdp(ifindex);
            try {
                assertThat(link.fd()).isPositive();
                assertThat(link()).contains("prog/xdp");
                assertThat(Shell.run("bpftool", "net", "show", "dev", veth.a))
                        .contains(veth.a + "(" + ifindex + ") driver id");
                assertThatThrownBy(() -> obj.program("pass_xdp").attachXdp(ifindex))
                        .isInstanceOf(BpfException.class)
                        .hasMessageContaining("attaching XDP program 'pass_xdp'");
            } finally {
                link.close();
            }
            assertThat(link()).doesNotContain("prog/xdp");
            link.close(); // a second close is harmless
        }
    }

    @Test
    void aPinnedLinkOutlivesCloseUntilUnpinned() throws Exception {
        Path dir = BpfFs.ensureMounted();
        BpfFs.removePins("dintt-");
        try (BpfObject obj = BpfObject.openBundled("pass")) {
            obj.load();
            try (BpfLink link = obj.program("pass_xdp").attachXdp(NetIf.index(veth.a))) {
                link.pin(dir.resolve("dintt-link"));
            }
            assertThat(link()).contains("prog/xdp");
        } finally {
            BpfFs.removePins("dintt-");
        }
        awaitTrue(() -> {
            try {
                return !link().contains("prog/xdp");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void tcEgressAttachesAndDetaches() throws Exception {
        try (BpfObject obj = TestObjects.openFixture()) {
            obj.load();
            int ifindex = NetIf.index(veth.a);
            TcAttachment tc = obj.program("fixture_tc").attachTcEgress(ifindex);
            try {
                assertThat(tc.createdQdisc()).isTrue();
                assertThat(tc.handle()).isNotZero();
                assertThat(tc.priority()).isNotZero();
                assertThat(Shell.run("tc", "filter", "show", "dev", veth.a, "egress")).contains("fixture_tc");
                assertThat(Shell.run("tc", "filter", "show", "dev", veth.a, "ingress")).doesNotContain("fixture_tc");
            } finally {
                tc.close();
            }
            assertThat(Shell.run("tc", "filter", "show", "dev", veth.a, "egress")).doesNotContain("fixture_tc");
            assertThat(Shell.run("tc", "qdisc", "show", "dev", veth.a)).doesNotContain("clsact");
            tc.close();
        }
    }

    @Test
    void tcLeavesAQdiscItDidNotCreate() throws Exception {
        Shell.run("tc", "qdisc", "add", "dev", veth.a, "clsact");
        try (BpfObject obj = TestObjects.openFixture()) {
            obj.load();
            try (TcAttachment tc = obj.program("fixture_tc").attachTcEgress(NetIf.index(veth.a))) {
                assertThat(tc.createdQdisc()).isFalse();
                assertThat(Shell.run("tc", "filter", "show", "dev", veth.a, "egress")).contains("fixture_tc");
            }
            assertThat(Shell.run("tc", "filter", "show", "dev", veth.a, "egress")).doesNotContain("fixture_tc");
            assertThat(Shell.run("tc", "qdisc", "show", "dev", veth.a)).contains("clsact");
        } finally {
            Shell.run("tc", "qdisc", "del", "dev", veth.a, "clsact");
        }
    }

    @Test
    void attachingToAMissingInterfaceSaysSo() {
        try (BpfObject obj = BpfObject.openBundled("pass")) {
            obj.load();
            assertThatThrownBy(() -> obj.program("pass_xdp").attachXdp(999_999))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("ifindex 999999");
        }
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition still false after 5 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
