package io.dint.log;

/**
 * Where a server's log rings live: memory that outlives the server process — pinned BPF maps for
 * the kernel's rings, a file in /dev/shm for the Java backend's — so that a server restarted after
 * a crash finds and drains every record its predecessor ACKed.
 */
public interface RingStorage {
    LogRings rings();

    /** Where the rings are, for messages. */
    String location();

    /**
     * Unmaps the rings; with {@code remove}, deletes them too (only when they are drained: an
     * undrained ring is left for the next server to drain).
     */
    void close(boolean remove);
}
