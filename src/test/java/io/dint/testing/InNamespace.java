package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.Host;
import io.dint.net.NetNs;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** Runs a piece of client code on a thread of its own inside a host's network namespace. */
public final class InNamespace {
    private InNamespace() {}

    /** Something to run that may throw. */
    public interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} in {@code host}'s namespace and waits (up to 2 minutes); its failure fails the caller. */
    public static void run(Host host, Body body) throws InterruptedException {
        call(host, () -> {
            body.run();
            return null;
        });
    }

    /** As {@link #run}, returning what {@code body} returns. */
    public static <T> T call(Host host, Callable<T> body) throws InterruptedException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                NetNs.enter(host.netns());
                result.set(body.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join(120_000);
        assertThat(t.isAlive()).as("client code in %s finished", host.netns()).isFalse();
        assertThat(failure.get()).as("client code in %s", host.netns()).isNull();
        return result.get();
    }
}
