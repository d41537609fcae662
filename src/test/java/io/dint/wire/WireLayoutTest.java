package io.dint.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java mirror of dint_wire.h against the BTF of the compiled objects, as bpftool prints it:
 * every mirrored struct has the same size and members at the same offsets and sizes, and every
 * enumerator of the shared enums has the same value in Java — both ways, so drift on either side
 * fails the build.
 */
class WireLayoutTest {
    private static final Pattern STRUCT = Pattern.compile("^\\[(\\d+)] STRUCT '(\\w+)' size=(\\d+) vlen=(\\d+)");
    private static final Pattern MEMBER = Pattern.compile("^\\s+'(\\w+)' type_id=(\\d+) bits_offset=(\\d+)");
    private static final Pattern ENUM = Pattern.compile("^\\[(\\d+)] ENUM '(\\w+)'");
    private static final Pattern ENUMERATOR = Pattern.compile("^\\s+'(\\w+)' val=(-?\\d+)");

    record Member(String name, long offset) {}

    record Btf(Map<String, Long> structSizes, Map<String, List<Member>> members, Map<String, Long> enumerators) {}

    static Btf dump(Path object) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", object.toString()).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor()).as("bpftool btf dump %s: %s", object, lines).isZero();
        Map<String, Long> sizes = new LinkedHashMap<>();
        Map<String, List<Member>> members = new LinkedHashMap<>();
        Map<String, Long> enumerators = new LinkedHashMap<>();
        String struct = null;
        boolean inEnum = false;
        for (String line : lines) {
            Matcher m;
            if ((m = STRUCT.matcher(line)).find()) {
                struct = m.group(2);
                inEnum = false;
                sizes.put(struct, Long.parseLong(m.group(3)));
                members.put(struct, new java.util.ArrayList<>());
            } else if ((m = ENUM.matcher(line)).find()) {
                struct = null;
                inEnum = true;
            } else if (struct != null && (m = MEMBER.matcher(line)).find()) {
                members.get(struct).add(new Member(m.group(1), Long.parseLong(m.group(3)) / 8));
            } else if (inEnum && (m = ENUMERATOR.matcher(line)).find()) {
                enumerators.put(m.group(1), Long.parseLong(m.group(2)));
            } else if (line.startsWith("[")) {
                struct = null;
                inEnum = false;
            }
        }
        return new Btf(sizes, members, enumerators);
    }

    /** Every bundled service object: the compiled *.bpf.o that carry the wire header in their BTF. */
    static List<Path> serviceObjects() throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("dint.bpf.dir", "target/classes/bpf"));
        List<Path> objects = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".bpf.o")).sorted().toList()) {
                if (dump(f).structSizes().containsKey("dint_hdr")) {
                    objects.add(f);
                }
            }
        }
        assertThat(objects).as("service objects in %s", dir).isNotEmpty();
        return objects;
    }

    /**
     * Each mirrored struct that an object's BTF carries has the same size and members there, and
     * every mirrored struct is carried (anchored) by at least one object.
     */
    @Test
    void structsMatchTheBtfOfEveryObject() throws Exception {
        Map<String, Path> seen = new LinkedHashMap<>();
        for (Path object : serviceObjects()) {
            Btf btf = dump(object);
            for (StructLayout layout : Wire.ALL) {
                String name = layout.name().orElseThrow();
                if (!btf.structSizes().containsKey(name)) {
                    continue;
                }
                seen.put(name, object);
                assertThat(layout.byteSize()).as("size of struct %s in %s", name, object).isEqualTo(btf.structSizes().get(name));
                List<Member> actual = layout.memberLayouts().stream()
                        .map(l -> new Member(l.name().orElseThrow(), offsetOf(layout, l)))
                        .toList();
                assertThat(actual).as("members of struct %s in %s", name, object).containsExactlyElementsOf(btf.members().get(name));
            }
        }
        assertThat(seen.keySet()).as("mirrored structs anchored in some object's BTF")
                .containsExactlyInAnyOrder(java.util.Arrays.stream(Wire.ALL).map(l -> l.name().orElseThrow()).toArray(String[]::new));
    }

    private static long offsetOf(GroupLayout group, MemoryLayout member) {
        return group.byteOffset(MemoryLayout.PathElement.groupElement(member.name().orElseThrow()));
    }

    @Test
    void enumsMatchTheBtfOfEveryObject() throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        collect(Op.class, "DINT_OP_", java);
        collect(Status.class, "DINT_ST_", java);
        collect(Stat.class, "DINT_STAT_", java);
        for (Path object : serviceObjects()) {
            Map<String, Long> shared = new LinkedHashMap<>();
            dump(object).enumerators().forEach((k, v) -> {
                if (k.startsWith("DINT_OP_") || k.startsWith("DINT_ST_") || k.startsWith("DINT_STAT_")) {
                    shared.put(k, v);
                }
            });
            assertThat(shared).as("enumerators in the BTF of %s", object).isNotEmpty();
            assertThat(java).as("Java constants vs dint_wire.h enums in %s", object).containsExactlyInAnyOrderEntriesOf(shared);
        }
    }

    @Test
    void macrosMatchTheHeader() throws Exception {
        String header = wireHeaders();
        assertThat(define(header, "DINT_PORT")).isEqualTo(Wire.PORT);
        assertThat(define(header, "DINT_SEQ_INCARNATION_SHIFT")).isEqualTo(Wire.SEQ_INCARNATION_SHIFT);
        assertThat(define(header, "DINT_MAX_PAYLOAD")).isEqualTo(Wire.MAX_PAYLOAD);
        assertThat(define(header, "DINT_LOG_VALUE_SIZE")).isEqualTo(Wire.LOG_VALUE_SIZE);
        assertThat(define(header, "DINT_KV_VALUE_SIZE")).isEqualTo(Wire.KV_VALUE_SIZE);
        assertThat(define(header, "DINT_KV_WAYS")).isEqualTo(Wire.KV_WAYS);
        assertThat(define(header, "DINT_KV_NO_WAY")).isEqualTo(Wire.KV_NO_WAY);
        assertThat(define(header, "DINT_KV_VICTIM")).isEqualTo(Wire.KV_VICTIM);
        assertThat(define(header, "DINT_KV_INSTALL")).isEqualTo(Wire.KV_INSTALL);
        assertThat(define(header, "DINT_KV_INVALIDATE")).isEqualTo(Wire.KV_INVALIDATE);
        assertThat(define(header, "DINT_KV_WRITE_BACK_BLOOM")).isEqualTo(Wire.KV_WRITE_BACK_BLOOM);
        assertThat(define(header, "DINT_KV_WRITE_BACK")).isEqualTo(Wire.KV_WRITE_BACK);
        assertThat(define(header, "DINT_KV_WRITE_THROUGH")).isEqualTo(Wire.KV_WRITE_THROUGH);
        assertThat(define(header, "DINT_TXN_VALUE_SIZE")).isEqualTo(Wire.TXN_VALUE_SIZE);
        assertThat(define(header, "DINT_TXN_F_EXISTS")).isEqualTo(Wire.TXN_F_EXISTS);
        assertThat(define(header, "DINT_TXN_F_LOCKED")).isEqualTo(Wire.TXN_F_LOCKED);
        assertThat(define(header, "DINT_TXN_F_UNLOCK")).isEqualTo(Wire.TXN_F_UNLOCK);
        assertThat(define(header, "DINT_TXN_OBJ_EXISTS")).isEqualTo(Wire.TXN_OBJ_EXISTS);
        assertThat(define(header, "DINT_LOCK_SHARERS")).isEqualTo(Wire.LOCK_SHARERS);
        assertThat(define(header, "DINT_ALLOW_MAX")).isEqualTo(Wire.ALLOW_MAX);
    }

    /** dint_wire.h and the headers it includes (dint_msgs.h, dint_tables.h, ...), as one text. */
    private static String wireHeaders() throws IOException {
        Path dir = Path.of("src/main/bpf");
        String wire = Files.readString(dir.resolve("dint_wire.h"));
        StringBuilder all = new StringBuilder(wire);
        Matcher include = Pattern.compile("#include \"(\\w+\\.h)\"").matcher(wire);
        while (include.find()) {
            all.append(Files.readString(dir.resolve(include.group(1))));
        }
        return all.toString();
    }

    private static long define(String header, String name) {
        Matcher m = Pattern.compile("#define\\s+" + name + "\\s+(?:0x([0-9a-f]+)ULL|(\\d+)|\\(1ULL << (\\d+)\\))").matcher(header);
        assertThat(m.find()).as("#define %s in dint_wire.h or its includes", name).isTrue();
        return m.group(1) != null ? Long.parseUnsignedLong(m.group(1), 16)
                : m.group(2) != null ? Long.parseLong(m.group(2)) : 1L << Integer.parseInt(m.group(3));
    }

    private static void collect(Class<?> type, String prefix, Map<String, Long> into) throws IllegalAccessException {
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && Modifier.isPublic(f.getModifiers())) {
                into.put(prefix + f.getName(), (long) f.getInt(null));
            }
        }
    }
}
