package io.dint.client;

/** A client loop that runs until {@link #stop()} and then finishes what it has in flight. */
public interface LoadLoop extends Runnable {
    void stop();
}
