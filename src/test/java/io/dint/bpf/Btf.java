package io.dint.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.UnionLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BPF Type Format of a file, as {@code bpftool btf dump file F} prints it: of the running
 * kernel ({@link #vmlinux()}), of a compiled object ({@link #of}), or of a C probe compiled here
 * ({@link #compile}). Java layouts are checked against it member by member, as cilium/ebpf checks
 * a map spec: {@link #mismatches} lists every member whose name, offset or size differs, nested
 * structs and unions included, and the whole size; an empty list is a match.
 *
 * <p>A Java member matches a C member of the same name. It may also stand for an anonymous C member
 * that holds a member of its name (C lets those be named as if they were the parent's: the
 * kernel's {@code sockaddr.sa_data} since 6.2). A Java value or byte sequence may stand for a
 * whole C struct, union or array of its size; a Java group is compared inside. A C bit field is
 * compared as its storage unit. A Java union need name only the members it uses, with the union's
 * size.
 */
public final class Btf {
    private static final Pattern TYPE = Pattern.compile("^\\[(\\d+)] (\\w+) '([^']*)'(.*)$");
    private static final Pattern MEMBER =
            Pattern.compile("^\\s+'([^']*)' type_id=(\\d+) bits_offset=(\\d+)(?: bitfield_size=(\\d+))?");
    private static final Pattern ENUMERATOR = Pattern.compile("^\\s+'(\\w+)' val=(-?\\d+)(?:U?LL)?$");
    private static final Pattern ATTRIBUTE = Pattern.compile("(\\w+)=(\\S+)");
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    /** The C probe of what the kernel's BTF does not carry: libbpf's structs and the macros Java copies. */
    private static final Path ABI_PROBE = Path.of("src/test/c/abi_probe.c");
    private static Btf vmlinux;
    private static Btf abiProbe;

    /** One C member: its type's id, where it starts in bits, its width when it is a bit field (else 0). */
    private record Member(String name, int type, long bitOffset, int bitfieldSize) {}

    /** One BTF type: kind (INT, STRUCT, TYPEDEF, ...), name, attributes (size, type_id, nr_elems), members. */
    private record Type(String kind, String name, Map<String, String> attributes, List<Member> members) {
        long attribute(String key) {
            return Long.parseLong(attributes.get(key));
        }
    }

    private final String source;
    private final Map<Integer, Type> types;
    private final Map<String, Integer> groups;
    private final Map<String, Long> enumerators;

    private Btf(String source, Map<Integer, Type> types, Map<String, Integer> groups, Map<String, Long> enumerators) {
        this.source = source;
        this.types = types;
        this.groups = groups;
        this.enumerators = enumerators;
    }

    /** The running kernel's types, read once. */
    public static synchronized Btf vmlinux() {
        if (vmlinux == null) {
            vmlinux = of(VMLINUX);
        }
        return vmlinux;
    }

    /** {@code src/test/c/abi_probe.c} compiled ({@link #compile}), once. */
    public static synchronized Btf abiProbe() {
        if (abiProbe == null) {
            abiProbe = compile(ABI_PROBE);
        }
        return abiProbe;
    }

    /** The types in {@code file}: vmlinux, or an ELF object compiled with {@code -g}. */
    public static Btf of(Path file) {
        List<String> lines = run("bpftool", "btf", "dump", "file", file.toString());
        Map<Integer, Type> types = new HashMap<>();
        Map<String, Integer> groups = new HashMap<>();
        Map<String, Long> enumerators = new LinkedHashMap<>();
        List<Member> members = null;
        boolean inEnum = false;
        for (String line : lines) {
            Matcher m;
            if (line.startsWith("[") && (m = TYPE.matcher(line)).find()) {
                int id = Integer.parseInt(m.group(1));
                String kind = m.group(2);
                Map<String, String> attributes = new HashMap<>();
                Matcher a = ATTRIBUTE.matcher(m.group(4));
                while (a.find()) {
                    attributes.put(a.group(1), a.group(2).replaceAll(",$", ""));
                }
                members = new ArrayList<>();
                types.put(id, new Type(kind, m.group(3), attributes, members));
                if ((kind.equals("STRUCT") || kind.equals("UNION")) && !m.group(3).equals("(anon)")) {
                    groups.putIfAbsent(m.group(3), id);
                }
                inEnum = kind.equals("ENUM") || kind.equals("ENUM64");
            } else if (inEnum && (m = ENUMERATOR.matcher(line)).find()) {
                String v = m.group(2);
                enumerators.put(m.group(1), v.startsWith("-") ? Long.parseLong(v) : Long.parseUnsignedLong(v));
            } else if (!inEnum && members != null && (m = MEMBER.matcher(line)).find()) {
                members.add(new Member(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                        m.group(4) == null ? 0 : Integer.parseInt(m.group(4))));
            }
        }
        return new Btf(file.toString(), types, groups, enumerators);
    }

    /**
     * The types of {@code source}, a C file compiled here for BPF with debug information (so with
     * BTF) against this machine's headers: for what the kernel's BTF does not carry, such as
     * libbpf's structs (anchor each with a variable) and macros (make each an enumerator).
     */
    public static Btf compile(Path source) {
        String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch64" : "x86_64";
        try {
            Path object = Files.createTempFile("dint-btf-probe", ".o");
            try {
                // -target bpf is LP64 like the host; the host's glibc headers want its architecture named.
                run(clang(), "-g", "-target", "bpf", "-D__" + arch + "__", "-I/usr/include/" + arch + "-linux-gnu",
                        "-c", source.toString(), "-o", object.toString());
                return of(object);
            } finally {
                Files.deleteIfExists(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String clang() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "clang-16"))) {
                return "clang-16";
            }
        }
        return "clang";
    }

    private static List<String> run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + String.join("\n", lines));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether there is a struct or union of this name. */
    public boolean has(String name) {
        return groups.containsKey(name);
    }

    /** Every enumerator of every enum, by name. */
    public Map<String, Long> enumerators() {
        return enumerators;
    }

    /** The enumerators named {@code prefix + X}, by X: a probe's macro values by Java name. */
    public Map<String, Long> enumerators(String prefix) {
        Map<String, Long> out = new TreeMap<>();
        enumerators.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** The int, long and short constants (static final fields, private ones left out) of {@code type}, by name. */
    public static Map<String, Long> constants(Class<?> type) {
        Map<String, Long> out = new TreeMap<>();
        for (Field f : type.getDeclaredFields()) {
            int mod = f.getModifiers();
            Class<?> t = f.getType();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && !Modifier.isPrivate(mod) && (t == int.class || t == long.class || t == short.class)) {
                try {
                    f.setAccessible(true);
                    out.put(f.getName(), ((Number) f.get(null)).longValue());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    /** How {@code layout} differs from the C struct or union of its name; empty when it does not. */
    public List<String> mismatches(GroupLayout layout) {
        return mismatches(layout, layout.name().orElseThrow(() -> new IllegalArgumentException("an unnamed layout")), false);
    }

    /**
     * How {@code layout} differs from the C type {@code c}: a struct or union name, or a member path
     * ({@code "bpf_attr.enable_stats"}, the type of that member). With {@code prefix} the C struct
     * may have more members than Java, or fewer, where the kernel grows it and takes its size from
     * the caller (bpf_prog_info, xdp_statistics): the members both have must agree, and the sizes
     * when the members are the same.
     */
    public List<String> mismatches(GroupLayout layout, String c, boolean prefix) {
        String[] path = c.split("\\.");
        List<String> out = new ArrayList<>();
        Integer id = groups.get(path[0]);
        if (id == null) {
            out.add("no struct or union " + path[0] + " in " + source);
            return out;
        }
        for (int i = 1; i < path.length; i++) {
            Member member = find(resolve(id), path[i]);
            if (member == null) {
                out.add(String.join(".", Arrays.copyOf(path, i)) + " has no member " + path[i] + " in " + source);
                return out;
            }
            id = member.type();
        }
        compare(layout, id, c, prefix, out);
        return out;
    }

    private void compare(GroupLayout java, int id, String path, boolean prefix, List<String> out) {
        Type c = resolve(id);
        boolean union = java instanceof UnionLayout;
        if (!c.kind().equals(union ? "UNION" : "STRUCT")) {
            out.add(path + ": a " + (union ? "union" : "struct") + " in Java, " + c.kind() + " in C");
            return;
        }
        List<MemoryLayout> all = java.memberLayouts();
        List<Integer> named = new ArrayList<>(); // indices of Java's members, padding left out
        for (int i = 0; i < all.size(); i++) {
            if (!(all.get(i) instanceof PaddingLayout)) {
                named.add(i);
            }
        }
        for (int k = 0; k < Math.max(named.size(), c.members().size()); k++) {
            MemoryLayout m = k < named.size() ? all.get(named.get(k)) : null;
            String name = m == null ? null : m.name().orElse("(anon)");
            Member cm = union ? (m == null ? null : find(c, name)) : k < c.members().size() ? c.members().get(k) : null;
            if (m == null) {
                if (!union && !prefix) {
                    out.add(path + "." + cm.name() + ": in C, not in Java");
                }
            } else if (cm == null) {
                if (union || !prefix) {
                    out.add(path + "." + name + ": in Java, not in C");
                }
            } else if (!cm.name().equals(name) && !(cm.name().equals("(anon)") && holds(cm.type(), name))) {
                out.add(path + ": member " + k + " is " + cm.name() + " in C, " + name + " in Java");
            } else {
                long offset = java.byteOffset(MemoryLayout.PathElement.groupElement(named.get(k)));
                compareMember(path + "." + name, offset, m, cm, out);
            }
        }
        boolean sameMembers = union || named.size() == c.members().size();
        if ((!prefix || sameMembers) && java.byteSize() != c.attribute("size")) {
            out.add(path + ": size " + c.attribute("size") + " in C, " + java.byteSize() + " in Java");
        }
    }

    private void compareMember(String path, long javaOffset, MemoryLayout java, Member c, List<String> out) {
        long size = sizeOf(c.type());
        // a bit field is compared as its storage unit, the size of its type, where it starts
        long offset = c.bitfieldSize() == 0 ? c.bitOffset() / 8 : c.bitOffset() / 8 / size * size;
        if (javaOffset != offset) {
            out.add(path + ": offset " + offset + " in C, " + javaOffset + " in Java");
        }
        if (java.byteSize() != size) {
            out.add(path + ": size " + size + " in C, " + java.byteSize() + " in Java");
        }
        if (java instanceof GroupLayout group && out.stream().noneMatch(s -> s.startsWith(path + ":"))) {
            compare(group, c.type(), path, false, out);
        }
    }

    /** Whether the (anonymous) struct or union {@code id} has a member {@code name}, itself or in an anonymous member. */
    private boolean holds(int id, String name) {
        Type t = resolve(id);
        for (Member m : t.members()) {
            if (m.name().equals(name) || (m.name().equals("(anon)") && holds(m.type(), name))) {
                return true;
            }
        }
        return false;
    }

    private Member find(Type group, String name) {
        for (Member m : group.members()) {
            if (m.name().equals(name) || (m.name().equals("(anon)") && holds(m.type(), name))) {
                return m;
            }
        }
        return null;
    }

    /** The type {@code id} stands for, through typedefs and qualifiers. */
    private Type resolve(int id) {
        Type t = types.get(id);
        while (switch (t.kind()) {
            case "TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG" -> true;
            default -> false;
        }) {
            t = types.get((int) t.attribute("type_id"));
        }
        return t;
    }

    private long sizeOf(int id) {
        if (id == 0) {
            return 0; // void
        }
        Type t = resolve(id);
        return switch (t.kind()) {
            case "PTR" -> 8; // LP64
            case "ARRAY" -> sizeOf((int) t.attribute("type_id")) * t.attribute("nr_elems");
            default -> t.attribute("size");
        };
    }

    @Override
    public String toString() {
        return "Btf[" + source + ", " + types.size() + " types]";
    }
}
