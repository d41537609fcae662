package io.dint.bpf;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetIfAndBpfFsTest {

    @Test
    void loopbackHasAnIndexAndMissingInterfacesDoNot() {
        assertThat(NetIf.index("lo")).isEqualTo(1);
        assertThatThrownBy(() -> NetIf.index("dintt-none"))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("no network interface 'dintt-none'")
                .hasMessageContaining("ENODEV");
    }

    @Test
    void bpfFsIsMountedAndOurDirectoryExists() throws Exception {
        Path dir = BpfFs.ensureMounted();
        assertThat(dir).isEqualTo(Path.of("/sys/fs/bpf/dint"));
        assertThat(BpfFs.mounted()).isTrue();
        assertThat(Files.isDirectory(dir)).isTrue();
        assertThat(BpfFs.ensureMounted()).isEqualTo(dir);

        Files.createDirectories(dir.resolve("dintt-dir"));
        BpfFs.removePins("dintt-");
        assertThat(dir.resolve("dintt-dir")).doesNotExist();
    }
}
