package io.dint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages use one another as ARCHITECTURE.md says, its package table being the one home of
 * the rule: every package under {@code src/main/java/io/dint} has a row, uses only the packages
 * its "may use" cell names (imports and fully qualified names both count; comments and strings
 * do not), and no package reaches itself through others — the graph has no cycle.
 *
 * <p>A "may use" cell names packages in backticks ({@code `wire.Hash64`} is {@code wire});
 * "the JDK only" names none; "every package but `a` and `b`" all but those; "`lock` and what it
 * may use" adds what lock's row allows.
 */
class ArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java/io/dint");
    private static final Path PAGE = Path.of("ARCHITECTURE.md");
    private static final Pattern USE = Pattern.compile("\\bio\\.dint\\.([a-z][a-z0-9_]*)\\b");
    private static final Pattern NAMED = Pattern.compile("`([a-z][a-z0-9_]*)[`.']");

    @Test
    void everyPackageUsesOnlyWhatTheArchitecturePageAllows() throws IOException {
        Map<String, Set<String>> uses = uses(SOURCES);
        Map<String, Set<String>> allowed = allowed(Files.readString(PAGE), uses.keySet());
        assertThat(allowed.keySet()).as("packages with a row in %s's table", PAGE).containsAll(uses.keySet());
        assertThat(breaches(uses, allowed)).as("uses %s does not allow", PAGE).isEmpty();
    }

    @Test
    void thePackagesFormNoCycle() {
        assertThat(cycle(uses(SOURCES))).as("a cycle of packages").isEmpty();
    }

    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> g = new TreeMap<>(Map.of("shard", Set.of("wire", "workload"), "workload", Set.of("txn"),
                "txn", Set.of("shard", "wire"), "wire", Set.of()));
        assertThat(cycle(g)).containsExactly("shard", "workload", "txn", "shard");
        g.put("txn", Set.of("wire"));
        assertThat(cycle(g)).isEmpty();
    }

    @Test
    void aUseTheTableDoesNotAllowIsFound() {
        String page = """
                | package | role | may use |
                | --- | --- | --- |
                | `wire` | the wire format (`Wire`) | the JDK only |
                | `lock` | locks, `LockRules` | `wire`, `bpf` |
                | `occ` | OCC | `lock` and what it may use |
                | `bench` | benches | every package but `cli` |
                | `cli` | the command line | every package; none imports it |
                """;
        Set<String> packages = Set.of("wire", "lock", "occ", "bench", "cli", "bpf");
        Map<String, Set<String>> allowed = allowed(page, packages);
        assertThat(allowed.get("wire")).isEmpty();
        assertThat(allowed.get("occ")).containsExactlyInAnyOrder("lock", "wire", "bpf");
        assertThat(allowed.get("bench")).containsExactlyInAnyOrder("wire", "lock", "occ", "bpf");
        assertThat(allowed.get("cli")).containsExactlyInAnyOrder("wire", "lock", "occ", "bench", "bpf");
        Map<String, Set<String>> uses = Map.of("wire", Set.of(), "occ", Set.of("lock", "wire"), "lock", Set.of("occ"));
        assertThat(breaches(uses, allowed)).containsExactly("lock -> occ");
    }

    @Test
    void commentsAndStringsAreNotUses(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path pkg = Files.createDirectories(dir.resolve("shard"));
        Files.writeString(pkg.resolve("A.java"), """
                package io.dint.shard;
                import io.dint.wire.Wire; // io.dint.cli in a comment
                /** {@link io.dint.workload.Tatp} in javadoc */
                class A {
                    String s = "io.dint.cli.Main", t = \"""
                            io.dint.bench in a text block
                            \""";
                    char c = '"';
                    long k = io.dint.lock.LockRules.SOME; /* io.dint.txn */
                }
                """);
        assertThat(uses(dir)).containsExactly(Map.entry("shard", Set.of("wire", "lock")));
    }

    /** Package to the packages its sources use, for every package directory under {@code root}. */
    static Map<String, Set<String>> uses(Path root) {
        Map<String, Set<String>> g = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(f.getParent()).toString().split("/")[0];
                Set<String> used = g.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = USE.matcher(code(Files.readString(f)));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return g;
    }

    /** Java source with its comments, strings, text blocks and character literals blanked out. */
    static String code(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            String close = src.startsWith("//", i) ? "\n" : src.startsWith("/*", i) ? "*/" : src.startsWith("\"\"\"", i) ? "\"\"\""
                    : src.charAt(i) == '"' ? "\"" : src.charAt(i) == '\'' ? "'" : null;
            if (close == null) {
                out.append(src.charAt(i++));
                continue;
            }
            int j = i + (close.equals("\"\"\"") ? 3 : close.equals("*/") ? 2 : 1);
            while (j < src.length() && !src.startsWith(close, j)) {
                j += src.charAt(j) == '\\' && !close.equals("\n") && !close.equals("*/") ? 2 : 1;
            }
            out.append(' ');
            i = Math.min(src.length(), j + close.length());
        }
        return out.toString();
    }

    /** Package to the packages its row of the table in {@code page} allows, for the {@code packages} given. */
    static Map<String, Set<String>> allowed(String page, Set<String> packages) {
        Map<String, String> cells = new TreeMap<>();
        for (String line : page.lines().toList()) {
            String[] c = line.split("\\|");
            if (c.length >= 4 && c[1].trim().matches("`[a-z][a-z0-9_]*`")) {
                cells.put(c[1].trim().replace("`", ""), c[3]);
            }
        }
        Map<String, Set<String>> allowed = new TreeMap<>();
        for (String pkg : cells.keySet()) {
            allowed.put(pkg, resolve(pkg, cells, packages, new TreeSet<>()));
        }
        return allowed;
    }

    private static Set<String> resolve(String pkg, Map<String, String> cells, Set<String> packages, Set<String> seen) {
        String cell = cells.get(pkg);
        Set<String> named = new TreeSet<>();
        Matcher m = NAMED.matcher(cell);
        while (m.find()) {
            if (packages.contains(m.group(1))) {
                named.add(m.group(1));
            }
        }
        Set<String> out = new TreeSet<>();
        if (cell.contains("every package")) {
            out.addAll(packages);
            if (cell.contains(" but ")) {
                out.removeAll(named);
            }
        } else {
            out.addAll(named);
            if (cell.contains("what it may use") && seen.add(pkg)) {
                for (String n : named) {
                    if (cells.containsKey(n)) {
                        out.addAll(resolve(n, cells, packages, seen));
                    }
                }
            }
        }
        out.remove(pkg);
        return out;
    }

    /** Every use of {@code uses} that {@code allowed} does not allow, as "from -> to". */
    static List<String> breaches(Map<String, Set<String>> uses, Map<String, Set<String>> allowed) {
        List<String> out = new ArrayList<>();
        uses.forEach((from, to) -> to.stream().filter(t -> !allowed.getOrDefault(from, Set.of()).contains(t))
                .forEach(t -> out.add(from + " -> " + t)));
        return out;
    }

    /** A cycle of {@code g} as its packages, the first repeated at the end; empty when there is none. */
    static List<String> cycle(Map<String, Set<String>> g) {
        Map<String, Integer> state = new TreeMap<>(); // absent: unvisited, 1: on the path, 2: done
        List<String> path = new ArrayList<>();
        for (String start : g.keySet()) {
            List<String> c = visit(start, g, state, path);
            if (!c.isEmpty()) {
                return c;
            }
        }
        return List.of();
    }

    private static List<String> visit(String p, Map<String, Set<String>> g, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(p);
        if (s != null && s == 2) {
            return List.of();
        }
        if (s != null) {
            List<String> c = new ArrayList<>(path.subList(path.indexOf(p), path.size()));
            c.add(p);
            return c;
        }
        state.put(p, 1);
        path.add(p);
        for (String q : new TreeSet<>(g.getOrDefault(p, Set.of()))) {
            List<String> c = visit(q, g, state, path);
            if (!c.isEmpty()) {
                return c;
            }
        }
        path.removeLast();
        state.put(p, 2);
        return List.of();
    }
}
