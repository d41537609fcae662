package io.dint.bpf;

import static io.dint.bpf.LibBpf.LIBBPF;

import io.dint.sys.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A compiled BPF object file ({@code *.bpf.o}) opened with libbpf: its maps and programs, which
 * are configured between {@link #open} and {@link #load} and used after. Closing it closes every
 * map and program fd it holds; links and TC attachments made from its programs live on until
 * they are closed themselves.
 *
 * <p>Not thread-safe, except that the element operations of its loaded maps may be called from
 * any thread.
 */
public final class BpfObject implements AutoCloseable {

    /** Verifier log space for a failing program; the kernel keeps the log's tail when it is longer. */
    static final long LOG_BUF_SIZE = 4L << 20;
    /** How much of the verifier log a message quotes (its end, where the error is). */
    private static final int LOG_QUOTE_MAX = 64 * 1024;

    private final String file;
    private MemorySegment obj;
    private boolean loaded;
    /** Scope of the segments handed out for configuration (initial values): ends at load. */
    private Arena setupArena;
    private final Map<String, BpfMap> maps = new HashMap<>();
    private final Map<String, BpfProgram> programs = new HashMap<>();

    private BpfObject(String file, MemorySegment obj) {
        this.file = file;
        this.obj = obj;
    }

    /** Opens (parses, does not load) a BPF object file. */
    public static BpfObject open(Path objectFile) {
        if (!Files.isRegularFile(objectFile)) {
            throw new BpfException("cannot open BPF object " + objectFile
                    + ": no such file. Build it first (mvn package compiles src/main/bpf)", 2);
        }
        try (Arena arena = Arena.ofConfined(); LibbpfLog log = LibbpfLog.capture()) {
            MemorySegment obj = LIBBPF.bpf_object__open_file(
                    arena.allocateFrom(objectFile.toAbsolutePath().toString()), MemorySegment.NULL);
            if (obj.equals(MemorySegment.NULL)) {
                throw BpfException.of("bpf_object__open_file(" + objectFile + ") failed", Errno.last(),
                        "Is it a BPF ELF object compiled with clang -target bpf -g?", log);
            }
            return new BpfObject(objectFile.getFileName().toString(), obj);
        }
    }

    /**
     * Opens an object shipped with the application: {@code "lock2pl"} is the class-path resource
     * {@code bpf/lock2pl.bpf.o} (copied to a temporary file when it is inside a jar), or else
     * {@code lock2pl.bpf.o} in the directory named by the system property {@code dint.bpf.dir}.
     */
    public static BpfObject openBundled(String name) {
        String fileName = name + ".bpf.o";
        String resource = "bpf/" + fileName;
        URL url = BpfObject.class.getClassLoader().getResource(resource);
        if (url != null && "file".equals(url.getProtocol())) {
            try {
                return open(Path.of(url.toURI()));
            } catch (URISyntaxException e) {
                // not a plain path after all: copy it like a jar entry
            }
        }
        if (url != null) {
            return openCopy(url, fileName);
        }
        String dir = System.getProperty("dint.bpf.dir");
        if (dir != null && Files.isRegularFile(Path.of(dir, fileName))) {
            return open(Path.of(dir, fileName));
        }
        throw new BpfException("no bundled BPF object '" + name + "': neither the class-path resource "
                + resource + " nor " + (dir == null ? "-Ddint.bpf.dir" : Path.of(dir, fileName))
                + " exists. Build with mvn package (it compiles src/main/bpf/" + name
                + ".bpf.c) or point -Ddint.bpf.dir at the compiled objects", 2);
    }

    /** libbpf names the object (and its internal maps) after the file, so the copy keeps the name. */
    private static BpfObject openCopy(URL url, String fileName) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("dint-bpf");
            Path copy = dir.resolve(fileName);
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return open(copy); // libbpf has read the whole file by now
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + url + " to a temporary file", e);
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover temporary file is harmless
        }
    }

    /**
     * A map by its C name; the global-variable sections are {@code ".rodata"}, {@code ".data"}
     * and {@code ".bss"}.
     *
     * @throws BpfException if the object has no such map
     */
    public BpfMap map(String name) {
        return part(maps, name, LIBBPF::bpf_object__find_map_by_name, ptr -> new BpfMap(this, ptr, name),
                () -> "has no map '" + name + "' (it has " + mapNames() + "). Check the name in the .bpf.c file; "
                        + "a global variable lives in \".rodata\", \".data\" or \".bss\", and only once it is used");
    }

    /**
     * A program by its C function name.
     *
     * @throws BpfException if the object has no such program
     */
    public BpfProgram program(String name) {
        return part(programs, name, LIBBPF::bpf_object__find_program_by_name, ptr -> new BpfProgram(this, ptr, name),
                () -> "has no program '" + name + "' (it has " + programNames() + "). Use the C function name, and "
                        + "give the function a SEC(...) annotation");
    }

    /**
     * A global variable by its C name, with the section map it lives in and its place there from
     * the object's BTF; before load, to write a setting ({@link BpfVariable#set}).
     *
     * @throws BpfException if the object has no such variable
     */
    public BpfVariable variable(String name) {
        checkNotLoaded("variable '" + name + "'");
        return BpfVariable.find(this, obj, name);
    }

    /** The map or program {@code name}, found by libbpf's {@code find} once and kept in {@code known}. */
    private <T extends BpfObjectPart> T part(Map<String, T> known, String name,
            BinaryOperator<MemorySegment> find, Function<MemorySegment, T> make, Supplier<String> missing) {
        checkOpen();
        T part = known.get(name);
        if (part == null) {
            MemorySegment ptr;
            try (Arena arena = Arena.ofConfined()) {
                ptr = find.apply(obj, arena.allocateFrom(name));
            }
            if (ptr.equals(MemorySegment.NULL)) {
                throw new BpfException("BPF object " + file + " " + missing.get(), Errno.ENOENT);
            }
            part = make.apply(ptr);
            known.put(name, part);
        }
        return part;
    }

    /** The names {@link #map} knows the object's maps by. */
    public List<String> mapNames() {
        checkOpen();
        List<String> names = new ArrayList<>();
        for (MemorySegment m = LIBBPF.bpf_object__next_map(obj, MemorySegment.NULL);
                !m.equals(MemorySegment.NULL); m = LIBBPF.bpf_object__next_map(obj, m)) {
            // libbpf names an internal map "<object>.rodata"; map() wants ".rodata"
            String name = LIBBPF.bpf_map__name(m).getString(0);
            int dot = name.indexOf('.');
            names.add(dot > 0 ? name.substring(dot) : name);
        }
        return names;
    }

    /** The C function names of the object's programs. */
    public List<String> programNames() {
        checkOpen();
        List<String> names = new ArrayList<>();
        for (MemorySegment p : programPointers()) {
            names.add(LIBBPF.bpf_program__name(p).getString(0));
        }
        return names;
    }

    private List<MemorySegment> programPointers() {
        List<MemorySegment> list = new ArrayList<>();
        for (MemorySegment p = LIBBPF.bpf_object__next_program(obj, MemorySegment.NULL);
                !p.equals(MemorySegment.NULL); p = LIBBPF.bpf_object__next_program(obj, p)) {
            list.add(p);
        }
        return list;
    }

    /**
     * Creates the maps and loads the programs into the kernel. A failed load leaves the object
     * unusable: close it.
     *
     * @throws BpfException with libbpf's warnings and the verifier log if the kernel refuses
     */
    public void load() {
        checkOpen();
        if (loaded) {
            throw new IllegalStateException("BPF object " + file + " is already loaded");
        }
        try (Arena arena = Arena.ofConfined(); LibbpfLog log = LibbpfLog.capture()) {
            // libbpf loads with log level 0 (no verifier cost) and, if the kernel refuses, loads
            // again at level 1 into this buffer: the log costs nothing unless it is needed.
            MemorySegment logBuf = arena.allocate(LOG_BUF_SIZE);
            for (MemorySegment p : programPointers()) {
                LIBBPF.bpf_program__set_log_buf(p, logBuf, LOG_BUF_SIZE);
            }
            endSetup();
            int rc = LIBBPF.bpf_object__load(obj);
            loaded = true; // libbpf marks it loaded whether or not it succeeded
            if (rc < 0) {
                String verifier = logBuf.getString(0);
                String hint = verifier.isEmpty()
                        ? "See libbpf's messages below; EPERM means: run as root (CAP_BPF, CAP_NET_ADMIN)"
                        : "The verifier rejected a program: its log below ends with the reason";
                BpfException e = BpfException.of("loading BPF object " + file + " failed", -rc,
                        hint, log);
                if (verifier.isEmpty()) {
                    throw e;
                }
                throw new BpfException(e.getMessage() + "\n-- verifier log --\n" + tail(verifier)
                        + "-- end of verifier log --", -rc);
            }
        }
    }

    private static String tail(String log) {
        if (log.length() <= LOG_QUOTE_MAX) {
            return log;
        }
        int cut = log.indexOf('\n', log.length() - LOG_QUOTE_MAX) + 1;
        return "[" + cut + " characters omitted]\n" + log.substring(cut);
    }

    /** Whether {@link #load()} has been called. */
    public boolean isLoaded() {
        return loaded;
    }

    /** Closes every map and program fd of the object. Harmless when repeated. */
    @Override
    public void close() {
        endSetup();
        if (obj != null) {
            LIBBPF.bpf_object__close(obj);
            obj = null;
        }
    }

    /** The object file's name, for messages. */
    public String fileName() {
        return file;
    }

    @Override
    public String toString() {
        return "BpfObject[" + file + (obj == null ? ", closed" : loaded ? ", loaded" : "") + "]";
    }

    Arena setupArena() {
        if (setupArena == null) {
            setupArena = Arena.ofShared();
        }
        return setupArena;
    }

    private void endSetup() {
        if (setupArena != null) {
            setupArena.close();
            setupArena = null;
        }
    }

    void checkOpen() {
        if (obj == null) {
            throw new IllegalStateException("BPF object " + file + " is closed");
        }
    }

    void checkLoaded(String what) {
        checkOpen();
        if (!loaded) {
            throw new IllegalStateException(what + " needs a loaded object: call load() on "
                    + file + " first");
        }
    }

    void checkNotLoaded(String what) {
        checkOpen();
        if (loaded) {
            throw new IllegalStateException(what + " must happen before load() of " + file);
        }
    }
}
