package io.dint.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How to load one bundled object: the sizes of its maps, the settings written into its global
 * variables (at their BTF offsets), the maps pinned and where, and what to do once it is loaded;
 * {@link #load(Class)} then opens, configures and loads it, closes it again on any failure, and
 * hands it back as a record whose components are its handles — as cilium/ebpf's
 * {@code LoadAndAssign} fills a struct of maps and programs, or a libbpf skeleton its fields.
 *
 * <pre>{@code
 * record LockObject(BpfObject object, @Handle("lock2pl_xdp") BpfProgram xdp,
 *                   @Handle("lock_table") BpfMap table) {}
 *
 * LockObject o = ObjectSpec.of("lock2pl").size("lock_table", 4096)
 *         .set("dint_cfg", Wire.CONFIG, cfg -> ...).load(LockObject.class);
 * }</pre>
 *
 * A name the object lacks fails before load, with the names it has.
 */
public final class ObjectSpec {
    private record Setting(String variable, MemoryLayout layout, Consumer<MemorySegment> fill) {}

    private final String bundled;
    private final Map<String, Integer> sizes = new LinkedHashMap<>();
    private final List<Setting> settings = new ArrayList<>();
    private final List<String> pinned = new ArrayList<>();
    private final List<Consumer<BpfObject>> afterLoad = new ArrayList<>();
    private Path pinDir;

    private ObjectSpec(String bundled) {
        this.bundled = bundled;
    }

    /** The bundled object {@code name} ({@link BpfObject#openBundled}). */
    public static ObjectSpec of(String name) {
        return new ObjectSpec(name);
    }

    /** Sizes map {@code map} to {@code maxEntries} entries. */
    public ObjectSpec size(String map, int maxEntries) {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("map '" + map + "' of " + bundled + " needs a positive size, got " + maxEntries);
        }
        sizes.put(map, maxEntries);
        return this;
    }

    /**
     * Writes the global variable {@code variable}: a zeroed value of {@code layout} (which must be
     * as long as the C variable) filled by {@code fill}, at the variable's BTF offset.
     */
    public ObjectSpec set(String variable, MemoryLayout layout, Consumer<MemorySegment> fill) {
        settings.add(new Setting(variable, layout, fill));
        return this;
    }

    /**
     * Pins {@code maps} in {@code dir} (made if missing) — or, when a predecessor pinned them
     * there, loads with its maps: a restarted process takes over its predecessor's state. A null
     * {@code dir} pins nothing.
     */
    public ObjectSpec pin(Path dir, String... maps) {
        this.pinDir = dir;
        pinned.addAll(List.of(maps));
        return this;
    }

    /** Runs {@code step} on the loaded object (filling maps), before it is handed out. */
    public ObjectSpec afterLoad(Consumer<BpfObject> step) {
        afterLoad.add(step);
        return this;
    }

    /**
     * Opens, configures and loads the object, and returns its handles as a {@code type}: each
     * component is the {@link BpfObject} itself, or a {@link BpfMap} or {@link BpfProgram} named by
     * its {@link Handle}. On failure the object is closed again.
     */
    public <T extends Record> T load(Class<T> type) {
        BpfObject obj = BpfObject.openBundled(bundled);
        try {
            T handles = assign(obj, type);
            configure(obj);
            loadPinned(obj);
            afterLoad.forEach(step -> step.accept(obj));
            return handles;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    private void configure(BpfObject obj) {
        sizes.forEach((map, n) -> obj.map(map).setMaxEntries(n));
        try (Arena arena = Arena.ofConfined()) {
            for (Setting s : settings) {
                BpfVariable v = obj.variable(s.variable());
                MemorySegment value = arena.allocate(v.check(s.layout()));
                s.fill().accept(value);
                v.set(value);
            }
        }
        if (pinDir != null) {
            try {
                Files.createDirectories(pinDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + pinDir + " to pin the maps of " + obj.fileName(), e);
            }
            for (String m : pinned) {
                obj.map(m).setPinPath(pinDir.resolve(m));
            }
        }
    }

    private void loadPinned(BpfObject obj) {
        try {
            obj.load();
        } catch (BpfException e) {
            if (pinDir == null || pinned.isEmpty()) {
                throw e;
            }
            throw new IllegalStateException("cannot load " + obj.fileName() + " with the maps pinned at " + pinDir
                    + ": if they were made with other settings (sizes, CPUs), serve with those to take them over, or "
                    + "remove the directory (losing what it holds). " + e.getMessage(), e);
        }
    }

    /**
     * The handles of an object opened or loaded elsewhere, as a {@code type} (as cilium/ebpf's
     * {@code Collection.Assign}); a name the object lacks fails with the names it has.
     */
    public static <T extends Record> T assign(BpfObject obj, Class<T> type) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            Handle h = c.getAnnotation(Handle.class);
            if (types[i] == BpfObject.class) {
                values[i] = obj;
            } else if (h != null && types[i] == BpfMap.class) {
                values[i] = obj.map(h.value());
            } else if (h != null && types[i] == BpfProgram.class) {
                values[i] = obj.program(h.value());
            } else {
                throw new IllegalArgumentException(type.getName() + "." + c.getName() + " is neither the BpfObject nor a "
                        + "BpfMap or BpfProgram with a @Handle naming it in C");
            }
        }
        try {
            Constructor<T> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a " + type.getName() + " of the handles of " + obj.fileName(), e);
        }
    }
}
