package io.dint.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Compiles the test-only BPF objects of src/test/bpf with clang, as the build does src/main/bpf. */
public final class TestObjects {

    private static final Path BASE = Path.of(System.getProperty("basedir", "."));
    private static final Path SRC = BASE.resolve("src/test/bpf");
    private static final Path OUT = BASE.resolve("target/test-bpf");

    private TestObjects() {
    }

    /** {@code "fixture"} -> target/test-bpf/fixture.bpf.o, compiled from src/test/bpf/fixture.bpf.c. */
    static synchronized Path compile(String name) throws IOException, InterruptedException {
        Path src = SRC.resolve(name + ".bpf.c");
        Path obj = OUT.resolve(name + ".bpf.o");
        if (Files.exists(obj) && Files.getLastModifiedTime(obj).compareTo(Files.getLastModifiedTime(src)) >= 0) {
            return obj;
        }
        Files.createDirectories(OUT);
        Shell.run(List.of("clang-16", "-O2", "-g", "-target", "bpf", "-mcpu=v3", "-Wall",
                "-I/usr/include/" + System.getProperty("os.arch").replace("amd64", "x86_64") + "-linux-gnu",
                "-I" + BASE.resolve("src/main/bpf"), "-c", src.toString(), "-o", obj.toString()));
        return obj;
    }

    /** The fixture object, opened (not loaded): one map of each kind, an XDP program whose verdict is a .rodata constant. */
    public static BpfObject openFixture() throws IOException, InterruptedException {
        return BpfObject.open(compile("fixture"));
    }

    /** A 60-byte Ethernet frame carrying nothing any of our programs serves (ethertype 0x88b5). */
    static byte[] notOursFrame() {
        byte[] frame = new byte[60];
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) 0x02;
            frame[6 + i] = (byte) (0x10 + i);
        }
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xb5;
        for (int i = 14; i < frame.length; i++) {
            frame[i] = (byte) i;
        }
        return frame;
    }
}
