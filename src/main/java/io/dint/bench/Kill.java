package io.dint.bench;

/** What a chaos run kills, every so often, in each shard in turn ({@link ServerKills}). */
public enum Kill {
    /** Nothing. */
    NONE("none"),
    /** The Java process of an xdp shard, while its XDP program keeps serving from the pinned maps. */
    SLOW_PATH("slow-path"),
    /** The whole server: its process, its pinned maps and what it kept in memory; its commit-log file stays. */
    SERVER("server");

    private final String id;

    Kill(String id) {
        this.id = id;
    }

    /** The name on the command line. */
    public String id() {
        return id;
    }

    /** The kill named {@code s} on the command line. */
    public static Kill parse(String s) {
        for (Kill k : values()) {
            if (k.id.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kill '" + s + "': use slow-path or server");
    }
}
