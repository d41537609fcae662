package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.Host;
import io.dint.net.NetNs;
import java.util.concurrent.atomic.AtomicReference;

/** Runs test code on a thread of its own inside a host's network namespace. */
public final class InNamespace {
    private InNamespace() {}

    public interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} in {@code host}'s namespace and waits for it; fails the test if it throws or hangs. */
    public static void run(Host host, Body body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                NetNs.enter(host.netns());
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join(300_000);
        assertThat(t.isAlive()).as("finished in %s", host.name()).isFalse();
        assertThat(failure.get()).isNull();
    }
}
