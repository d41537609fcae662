package io.dint.cluster;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a cluster names what it makes, so that a later run can find what a dead one left: every
 * namespace is {@code dint-<tag>-<part>}, where the tag is the creating process's pid in base 36, a
 * dot and a counter. A namespace whose pid names no live process is a leftover; deleting it kills
 * what still runs there and takes its veths, bridge, XDP links and NAPI threads with it.
 */
final class Leftovers {
    /** Every namespace this code (and its tests) make starts with this. */
    static final String NS_PREFIX = "dint-";
    /** {@code dint-<pid base36>.<anything>}: namespaces this code (and its tests) create. */
    static final Pattern OWNED = Pattern.compile("dint-([0-9a-z]{1,13})\\.[0-9a-z.]+(-[0-9a-z]+)?");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Leftovers() {}

    /** A tag no other cluster of this or any live process has: {@code <pid base36>.<counter>}. */
    static String newTag() {
        return Long.toString(ProcessHandle.current().pid(), 36) + "." + COUNTER.incrementAndGet();
    }

    /** The namespace of part {@code part} ({@code s0}, {@code br}) of the cluster tagged {@code tag}. */
    static String namespace(String tag, String part) {
        return NS_PREFIX + tag + "-" + part;
    }

    /**
     * Deletes {@code dint-<pid>.*} namespaces whose creating process is gone (and kills what still runs
     * in them). Namespaces of live processes, including other runs in progress, are left alone.
     *
     * @return how many namespaces were deleted
     */
    static int clean() {
        String[] names;
        try {
            names = IpCommand.ip("netns", "list").lines().map(l -> l.split("\\s+")[0]).toArray(String[]::new);
        } catch (IllegalStateException e) {
            return 0; // no /var/run/netns yet
        }
        int removed = 0;
        for (String ns : names) {
            OptionalLong owner = ownerOf(ns);
            if (owner.isPresent() && ProcessHandle.of(owner.getAsLong()).isEmpty()) {
                Namespaces.delete(ns);
                removed++;
            }
        }
        return removed;
    }

    /** The pid of the process that made {@code ns}, or empty when {@code ns} is not named like ours. */
    static OptionalLong ownerOf(String ns) {
        Matcher m = OWNED.matcher(ns);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1), 36));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
