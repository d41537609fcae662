package io.dint.testing;

import java.util.function.Supplier;

/**
 * One instance that every try of a jqwik property container shares, made on first use (a table
 * with a 32 MiB dedup window is too dear to make per try); the container's {@code @AfterContainer}
 * method closes it.
 */
public final class PerContainer<T extends AutoCloseable> {
    private final Supplier<T> make;
    private T value;

    /** Shares what {@code make} makes. */
    public PerContainer(Supplier<T> make) {
        this.make = make;
    }

    /** The instance, made now if this is the first try. */
    public synchronized T get() {
        if (value == null) {
            value = make.get();
        }
        return value;
    }

    /** Closes the instance, if one was made; the next {@link #get} makes a new one. */
    public synchronized void close() throws Exception {
        if (value != null) {
            value.close();
            value = null;
        }
    }
}
