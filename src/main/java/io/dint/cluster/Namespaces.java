package io.dint.cluster;

import io.dint.net.NetNs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The network namespaces of a local cluster: made ({@code ip netns add}), set up the way a quiet
 * host and a plain switch are (sysctls), entered for a moment, and deleted with whatever still runs
 * in them. One instance remembers the namespaces it made, so that exactly those are deleted.
 */
final class Namespaces {
    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final long SETUP_SECONDS = 30;

    private final List<String> created = new ArrayList<>();

    /** Makes namespace {@code ns} and remembers it. */
    synchronized void add(String ns) {
        IpCommand.ip("netns", "add", ns);
        created.add(ns);
    }

    /** The namespaces made so far, in the order they were made. */
    synchronized List<String> created() {
        return List.copyOf(created);
    }

    /**
     * Turns IPv6 off in every namespace made so far — its router solicitations and MLD reports would
     * be the only traffic we did not send — and the bridge's netfilter off in {@code bridgeNs}.
     */
    void quieten(String bridgeNs) {
        List<String> namespaces = created();
        inside(null, () -> {
            namespaces.forEach(Namespaces::disableIpv6);
            skipIptablesOnBridge(bridgeNs);
        });
    }

    private static void disableIpv6(String ns) {
        try (var _ = NetNs.enterTemporarily(ns)) {
            for (String conf : List.of("all", "default")) {
                writeIfPresent(Path.of("/proc/sys/net/ipv6/conf", conf, "disable_ipv6"), "1");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot disable IPv6 in namespace " + ns, e);
        }
    }

    /**
     * When br_netfilter is loaded (a container runtime on the machine loads it), every bridged frame
     * goes through iptables, which doubled the cost of a request's way through the bridge here. A
     * switch does not run a firewall: turn it off in the bridge's namespace (the setting is per namespace).
     */
    private static void skipIptablesOnBridge(String ns) {
        try (var _ = NetNs.enterTemporarily(ns)) {
            for (String family : List.of("iptables", "ip6tables", "arptables")) {
                writeIfPresent(Path.of("/proc/sys/net/bridge/bridge-nf-call-" + family), "0");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot turn off bridge netfilter in namespace " + ns, e);
        }
    }

    private static void writeIfPresent(Path sysctl, String value) throws IOException {
        if (Files.exists(sysctl)) {
            Files.writeString(sysctl, value + "\n");
        }
    }

    /**
     * Runs {@code r} inside namespace {@code ns} (null: this process's) and waits for it. setns moves
     * only the calling OS thread, so {@code r} runs on a fresh platform thread: the caller's thread,
     * perhaps a virtual one, never changes namespace.
     */
    static void inside(String ns, Runnable r) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("dint-cluster-setup").start(() -> {
            try {
                if (ns == null) {
                    r.run();
                } else {
                    try (var _ = NetNs.enterTemporarily(ns)) {
                        r.run();
                    }
                }
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(SETUP_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up namespaces", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("namespace setup did not finish within " + SETUP_SECONDS + " s", e);
        }
    }

    /** Kills whatever still runs in {@code ns} (a child of a crashed run, a stray ping) and deletes it. */
    static void delete(String ns) {
        if (!exists(ns)) {
            return;
        }
        long self = ProcessHandle.current().pid();
        try {
            for (String pid : IpCommand.ip("netns", "pids", ns).split("\\s+")) {
                if (!pid.isBlank() && Long.parseLong(pid) != self) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (RuntimeException e) {
            // best effort: the namespace goes away from the list anyway, and dies with its last process
        }
        IpCommand.ip("netns", "del", ns);
    }

    /** Whether a namespace named {@code ns} exists on this machine. */
    static boolean exists(String ns) {
        return Files.exists(NETNS_DIR.resolve(ns));
    }
}
