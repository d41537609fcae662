package io.dint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster file: what it reads, what it writes back, and a clear error for each thing a file can get wrong. */
class ClusterFileTest {
    static final String THREE_HOSTS = """
            # three shard servers and a client
            [service]
            name = "smallbank"
            backend = "xdp"

            [service.options]
            accounts = 20000
            cache-ratio = 1.5
            verbose = true
            quiet = false

            [[host]]
            name = "s0"
            role = "server"
            address = "10.0.0.1"
            iface = "ens1f0np0"
            mac = "0c:42:a1:00:00:01"
            cpus = "2-7"

            [[host]]
            name = "s1"
            role = "server"
            address = "10.0.0.2"
            control = "192.168.1.2:9300"

            [[host]]
            name = "s2"
            role = "server"
            address = "10.0.0.3"

            [[host]]
            name = "c0"
            role = "client"
            address = "10.0.0.101"
            """;

    @Test
    void readsServiceOptionsAndHostsWithTheirDefaults() {
        ClusterFile f = ClusterFile.parse(THREE_HOSTS, "three.toml");
        assertThat(f.service().name()).isEqualTo("smallbank");
        assertThat(f.service().backend()).isEqualTo("xdp");
        assertThat(f.service().options()).containsExactly(Map.entry("accounts", 20000L), Map.entry("cache-ratio", 1.5),
                Map.entry("verbose", true), Map.entry("quiet", false));
        assertThat(f.servers()).extracting(ClusterFile.Entry::name).containsExactly("s0", "s1", "s2");
        assertThat(f.clients()).extracting(ClusterFile.Entry::name).containsExactly("c0");
        ClusterFile.Entry s0 = f.servers().getFirst();
        assertThat(s0.address()).isEqualTo("10.0.0.1");
        assertThat(s0.iface()).isEqualTo("ens1f0np0");
        assertThat(s0.mac()).isEqualTo("0c:42:a1:00:00:01");
        assertThat(s0.cpus()).isEqualTo("2-7");
        assertThat(s0.control()).isEqualTo(new InetSocketAddress("10.0.0.1", ClusterFile.CONTROL_PORT));
        assertThat(f.servers().get(1).control()).isEqualTo(new InetSocketAddress("192.168.1.2", 9300));
        assertThat(f.servers().get(2).iface()).isEqualTo("eth0");
        assertThat(f.servers().get(2).mac()).isNull();
        assertThat(f.clients().getFirst().control()).isNull();
    }

    @Test
    void serveArgumentsAreTheServiceTheHostAndTheOptions() {
        ClusterFile f = ClusterFile.parse(THREE_HOSTS, "three.toml");
        assertThat(f.serveArgs(f.servers().getFirst())).containsExactly("--service", "smallbank", "--backend", "xdp",
                "--iface", "ens1f0np0", "--control", "10.0.0.1:9230", "--cpus", "2-7", "--accounts", "20000",
                "--cache-ratio", "1.5", "--verbose");
    }

    @Test
    void whatItWritesReadsBackTheSame(@TempDir Path dir) throws Exception {
        ClusterFile f = ClusterFile.parse(THREE_HOSTS, "three.toml");
        Path out = dir.resolve("again.toml");
        f.write(out);
        ClusterFile again = ClusterFile.read(out);
        assertThat(again.service()).isEqualTo(f.service());
        assertThat(again.hosts()).isEqualTo(f.hosts());
        assertThat(Files.readString(out)).contains("[[host]]").contains("[service.options]");
        ClusterFile quoted = new ClusterFile("code", new ClusterFile.Service("kv", "udp", Map.of("log", "/tmp/a \"b\"\\c")),
                List.of(new ClusterFile.Entry("s0", ClusterFile.Role.SERVER, 0x0A000001, "eth0", null, null,
                        new InetSocketAddress("10.0.0.1", 1), "dint-x")));
        assertThat(ClusterFile.parse(quoted.toToml(), "quoted").service().options()).containsEntry("log", "/tmp/a \"b\"\\c");
    }

    @Test
    void namesTheHostThatIsNotThere() {
        ClusterFile f = ClusterFile.parse(THREE_HOSTS, "three.toml");
        assertThatThrownBy(() -> f.host("s7", ClusterFile.Role.SERVER)).hasMessageContaining("no host named 's7'")
                .hasMessageContaining("three.toml").hasMessageContaining("s0 (10.0.0.1), s1 (10.0.0.2), s2 (10.0.0.3)");
        assertThatThrownBy(() -> f.host("c0", ClusterFile.Role.SERVER)).hasMessageContaining("host c0")
                .hasMessageContaining("is a client host, not a server host");
    }

    @Test
    void aHostWhoseAddressIsNotHereIsNamed() {
        ClusterFile f = ClusterFile.parse(THREE_HOSTS.replace("10.0.0.2", "192.0.2.77"), "three.toml");
        assertThatThrownBy(() -> f.local(f.host("s1", ClusterFile.Role.SERVER), true))
                .hasMessageContaining("host s1 (192.0.2.77)").hasMessageContaining("is not this machine")
                .hasMessageContaining("no interface here has address 192.0.2.77");
        assertThatThrownBy(() -> f.thisHost(ClusterFile.Role.CLIENT, null))
                .hasMessageContaining("none of the client hosts").hasMessageContaining("c0 (10.0.0.101)");
    }

    @Test
    void anAddressOnAnotherInterfaceThanTheFileSaysIsAnError() {
        ClusterFile f = ClusterFile.parse(THREE_HOSTS.replace("10.0.0.101", "127.0.0.1"), "three.toml");
        assertThat(f.thisHost(ClusterFile.Role.CLIENT, null).name()).isEqualTo("c0");
        assertThatThrownBy(() -> f.local(f.host("c0", ClusterFile.Role.CLIENT), false))
                .hasMessageContaining("the address is on lo here, but the file says iface = \"eth0\"");
        ClusterFile onLo = ClusterFile.parse(THREE_HOSTS.replace("address = \"10.0.0.101\"", "address = \"127.0.0.1\"\niface = \"lo\""), "lo.toml");
        Host me = onLo.local(onLo.host("c0", ClusterFile.Role.CLIENT), true);
        assertThat(me.netns()).isNull();
        assertThat(me.iface()).isEqualTo("lo");
    }

    @Test
    void everyMistakeIsNamed() {
        expect("[service\nname = 1", "is not valid TOML");
        expect("[[host]]\nname='s0'\nrole='server'\naddress='10.0.0.1'", "no [service] table");
        expect("[service]\nname='lock2pl'\nbackend='xdp'", "no [[host]] entries");
        expect(THREE_HOSTS.replace("address = \"10.0.0.3\"", "adress = \"10.0.0.3\""), "[[host]] #3 (s2): unknown key 'adress'");
        expect(THREE_HOSTS.replace("address = \"10.0.0.3\"", ""), "[[host]] #3 (s2) has no address");
        expect(THREE_HOSTS.replace("role = \"client\"", "role = \"Client\""), "role must be server or client, got 'Client'");
        expect(THREE_HOSTS.replace("10.0.0.3", "10.0.0.300"), "address not a dotted-quad IPv4 address: '10.0.0.300'");
        expect(THREE_HOSTS.replace("\"s2\"", "\"s1\""), "two hosts are named s1");
        expect(THREE_HOSTS.replace("10.0.0.3", "10.0.0.2"), "host s2: address 10.0.0.2 is another host's too");
        expect(THREE_HOSTS.replace("0c:42:a1:00:00:01", "0c:42:a1:00:00"), "host s0: mac must look like");
        expect(THREE_HOSTS.replace("\"2-7\"", "\"two\""), "host s0: cpus takes CPU numbers");
        expect(THREE_HOSTS.replace("accounts = 20000", "backend = \"udp\""), "[service.options] backend is set elsewhere");
        expect(THREE_HOSTS.replace("accounts = 20000", "Accounts = 20000"), "[service.options] Accounts: options are dint serve's long names");
        expect(THREE_HOSTS.replace("accounts = 20000", "accounts = [1, 2]"), "[service.options] accounts must be a string, number or boolean");
        expect(THREE_HOSTS + "control = \"10.0.0.101:1\"\n", "[[host]] #4 (c0): control is the endpoint of a server");
        expect(THREE_HOSTS.replace("\"192.168.1.2:9300\"", "\"192.168.1.2\""), "(s1): control must be ADDR:PORT");
        expect(THREE_HOSTS.replace("\"192.168.1.2:9300\"", "\"192.168.1.2:70000\""), "a port in 1..65535");
        expect(THREE_HOSTS.replace("role = \"server\"", "role = \"client\"").replace("control = \"192.168.1.2:9300\"", ""),
                "no host has role = \"server\"");
        expect(THREE_HOSTS.replace("backend = \"xdp\"", "backend = 3"), "[service]: backend must be a non-empty string, got 3");
    }

    private static void expect(String toml, String message) {
        assertThatThrownBy(() -> ClusterFile.parse(toml, "bad.toml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cluster file bad.toml").hasMessageContaining(message);
    }
}
