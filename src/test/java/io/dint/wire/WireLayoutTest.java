package io.dint.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Btf;
import java.io.IOException;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java mirror of dint_wire.h against the BTF of the compiled objects ({@link Btf}): every
 * mirrored struct has the same size and members at the same offsets and sizes, and every
 * enumerator of the shared enums has the same value in Java — both ways, so drift on either side
 * fails the build. The header's macros that Java copies are compared through
 * src/test/c/abi_probe.c, which makes each an enumerator.
 */
class WireLayoutTest {
    /** Every bundled service object: the compiled *.bpf.o that carry the wire header in their BTF, with their types. */
    static Map<Path, Btf> serviceObjects() throws IOException {
        Path dir = Path.of(System.getProperty("dint.bpf.dir", "target/classes/bpf"));
        Map<Path, Btf> objects = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".bpf.o")).sorted().toList()) {
                Btf btf = Btf.of(f);
                if (btf.has("dint_hdr")) {
                    objects.put(f, btf);
                }
            }
        }
        assertThat(objects).as("service objects in %s", dir).isNotEmpty();
        return objects;
    }

    /**
     * Each mirrored struct that an object's BTF carries matches it there (size, members, their
     * offsets and sizes), and every mirrored struct is carried (anchored) by at least one object.
     */
    @Test
    void structsMatchTheBtfOfEveryObject() throws Exception {
        Map<String, Path> seen = new LinkedHashMap<>();
        serviceObjects().forEach((object, btf) -> {
            for (StructLayout layout : Wire.ALL) {
                String name = layout.name().orElseThrow();
                if (btf.has(name)) {
                    seen.put(name, object);
                    assertThat(btf.mismatches(layout)).as("struct %s in %s", name, object).isEmpty();
                }
            }
        });
        assertThat(seen.keySet()).as("mirrored structs anchored in some object's BTF")
                .containsExactlyInAnyOrder(Arrays.stream(Wire.ALL).map(l -> l.name().orElseThrow()).toArray(String[]::new));
    }

    @Test
    void enumsMatchTheBtfOfEveryObject() throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        collect(Op.class, "DINT_OP_", java);
        collect(Status.class, "DINT_ST_", java);
        collect(Stat.class, "DINT_STAT_", java);
        serviceObjects().forEach((object, btf) -> {
            Map<String, Long> shared = new LinkedHashMap<>();
            btf.enumerators().forEach((k, v) -> {
                if (k.startsWith("DINT_OP_") || k.startsWith("DINT_ST_") || k.startsWith("DINT_STAT_")) {
                    shared.put(k, v);
                }
            });
            assertThat(shared).as("enumerators in the BTF of %s", object).isNotEmpty();
            assertThat(java).as("Java constants vs dint_wire.h enums in %s", object).containsExactlyInAnyOrderEntriesOf(shared);
        });
    }

    /**
     * Every macro of the headers that Wire has a constant of (DINT_X and Wire.X) is in the probe,
     * and has the same value there as in Java.
     */
    @Test
    void macrosMatchTheHeader() throws Exception {
        Map<String, Long> probe = Btf.abiProbe().enumerators("wire_");
        Map<String, Long> java = Btf.constants(Wire.class);
        List<String> copied = new ArrayList<>();
        for (String name : defines()) {
            if (java.containsKey(name)) {
                copied.add(name);
            }
        }
        assertThat(probe).as("macros of dint_wire.h in src/test/c/abi_probe.c (wire_X = DINT_X)")
                .containsOnlyKeys(copied.toArray(String[]::new));
        assertThat(java).as("io.dint.wire.Wire vs the macros of dint_wire.h").containsAllEntriesOf(probe);
    }

    /** The X of every {@code #define DINT_X} in dint_wire.h and the headers it includes. */
    private static List<String> defines() throws IOException {
        Path dir = Path.of("src/main/bpf");
        String wire = Files.readString(dir.resolve("dint_wire.h"));
        StringBuilder all = new StringBuilder(wire);
        java.util.regex.Matcher include = java.util.regex.Pattern.compile("#include \"(\\w+\\.h)\"").matcher(wire);
        while (include.find()) {
            all.append(Files.readString(dir.resolve(include.group(1))));
        }
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher define = java.util.regex.Pattern.compile("#define\\s+DINT_(\\w+)\\s").matcher(all);
        while (define.find()) {
            names.add(define.group(1));
        }
        return names;
    }

    private static void collect(Class<?> type, String prefix, Map<String, Long> into) throws IllegalAccessException {
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && Modifier.isPublic(f.getModifiers())) {
                into.put(prefix + f.getName(), (long) f.getInt(null));
            }
        }
    }
}
