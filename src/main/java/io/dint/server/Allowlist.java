package io.dint.server;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.net.Ipv4;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The client prefixes a server answers (the operator's {@code --allow PREFIX,...}): requests from
 * any other source are dropped and counted ({@link io.dint.wire.Stat#DROP_NOT_ALLOWED}). One rule
 * for every backend: the {@code udp} and {@code afxdp} backends ask {@link #allows}, the {@code xdp}
 * backend's programs compare the source with the first prefix (a constant in {@code dint_config},
 * which {@link #configure} writes) and look it up in their {@code allowlist} LPM trie ({@link
 * #fill}) only when there are more; without an allowlist they look at nothing. An empty list
 * allows every source.
 */
public final class Allowlist {
    private static final ValueLayout.OfInt BE_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    /** The LPM-trie map of allowed client prefixes every service program has ({@code dint_xdp.h}). */
    public static final String MAP = "allowlist";

    /** No allowlist: every source is served. */
    public static final Allowlist ANY = new Allowlist(new int[0], new int[0]);

    private final int[] prefixes; // host order, host bits zero
    private final int[] lengths;

    private Allowlist(int[] prefixes, int[] lengths) {
        this.prefixes = prefixes;
        this.lengths = lengths;
    }

    /**
     * Parses {@code "10.231.0.0/24,192.168.7.5"}: comma-separated IPv4 prefixes, a bare address
     * being a /32. Blank means no allowlist.
     *
     * @throws IllegalArgumentException naming the entry that is not a prefix
     */
    public static Allowlist parse(String list) {
        if (list == null || list.isBlank()) {
            return ANY;
        }
        String[] entries = list.split(",", -1);
        if (entries.length > Wire.ALLOW_MAX) {
            throw new IllegalArgumentException("an allowlist holds at most " + Wire.ALLOW_MAX + " prefixes, got " + entries.length);
        }
        List<int[]> parsed = new ArrayList<>();
        for (String entry : entries) {
            String e = entry.trim();
            int slash = e.indexOf('/');
            int addr;
            int length;
            try {
                addr = Ipv4.parse(slash < 0 ? e : e.substring(0, slash));
                length = slash < 0 ? 32 : Integer.parseInt(e.substring(slash + 1));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("'" + e + "' is not an IPv4 prefix such as 10.231.0.0/24 or 10.231.0.7", ex);
            }
            if (length < 0 || length > 32) {
                throw new IllegalArgumentException("prefix length of '" + e + "' must be 0..32");
            }
            if ((addr & ~mask(length)) != 0) {
                throw new IllegalArgumentException("'" + e + "' has bits set past its prefix length: did you mean "
                        + Ipv4.format(addr & mask(length)) + "/" + length + "?");
            }
            parsed.add(new int[] {addr, length});
        }
        int[] p = new int[parsed.size()];
        int[] l = new int[parsed.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = parsed.get(i)[0];
            l[i] = parsed.get(i)[1];
        }
        return new Allowlist(p, l);
    }

    private static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** True when an allowlist is configured (at least one prefix): only its prefixes are served. */
    public boolean configured() {
        return prefixes.length > 0;
    }

    /** True when requests from {@code addr} (host order) are served. */
    public boolean allows(int addr) {
        if (prefixes.length == 0) {
            return true;
        }
        for (int i = 0; i < prefixes.length; i++) {
            if ((addr & mask(lengths[i])) == prefixes[i]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes the list's part of a {@code struct dint_config} (before load): how many prefixes, and
     * the first one, which the programs compare with before they look the map up.
     */
    void configure(MemorySegment config) {
        config.set(JAVA_INT, Wire.CONFIG_ALLOW, prefixes.length);
        if (prefixes.length > 0) {
            config.set(BE_INT, Wire.CONFIG_ALLOW_ADDR, prefixes[0]);
            config.set(BE_INT, Wire.CONFIG_ALLOW_MASK, mask(lengths[0]));
        }
    }

    /** Writes the prefixes into the loaded object's {@code allowlist} map (struct dint_allow_key). */
    public void fill(BpfObject object) {
        if (prefixes.length == 0) {
            return;
        }
        BpfMap map = object.map(MAP);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(Wire.ALLOW_KEY);
            MemorySegment one = arena.allocate(JAVA_BYTE);
            one.set(JAVA_BYTE, 0, (byte) 1);
            for (int i = 0; i < prefixes.length; i++) {
                key.set(JAVA_INT, Wire.ALLOW_KEY_PREFIXLEN, lengths[i]);
                key.set(BE_INT, Wire.ALLOW_KEY_ADDR, prefixes[i]);
                map.update(key, one);
            }
        }
    }

    @Override
    public String toString() {
        if (prefixes.length == 0) {
            return "any";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < prefixes.length; i++) {
            b.append(i == 0 ? "" : ",").append(Ipv4.format(prefixes[i])).append('/').append(lengths[i]);
        }
        return b.toString();
    }
}
