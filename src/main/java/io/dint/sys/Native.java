package io.dint.sys;

import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;
import static java.lang.constant.ConstantDescs.BSM_CLASS_DATA_AT;
import static java.lang.constant.ConstantDescs.CD_MethodHandle;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.DEFAULT_NAME;
import static java.lang.constant.ConstantDescs.INIT_NAME;
import static java.lang.constant.ConstantDescs.MTD_void;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.lang.classfile.ClassFile;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Binds an interface of C functions to a native library, the one way this project calls native
 * code (libc in {@link Libc}, libbpf in {@code io.dint.bpf}).
 *
 * <p>Each abstract method is the C function of its name (or {@link Symbol}); its C signature is read
 * off the Java one: {@code int}, {@code long}, {@code short}, {@code byte} as themselves, a
 * {@link MemorySegment} as a pointer, {@code void}. Annotations add what the signature cannot say:
 * {@link SetsErrno}, {@link Critical}, {@link Variadic}, {@link CString}. The implementation is a
 * class made once here (java.lang.classfile) whose every method loads its downcall handle as a
 * constant and calls {@code invokeExact}: what a hand-written wrapper does, inlined by the JIT the
 * same way, allocating nothing, without the hand-written {@code try/catch} around each call (a
 * downcall throws only on a linkage bug, which no wrapper could handle either).
 */
@SuppressWarnings("restricted") // binding native functions is this class's job
public final class Native {
    private static final Linker LINKER = Linker.nativeLinker();

    /** The C library: the linker's default lookup, and libc.so.6 for what that leaves out. */
    public static final SymbolLookup LIBC = LINKER.defaultLookup()
            .or(SymbolLookup.libraryLookup("libc.so.6", Arena.global()));

    /** A pointer whose target can be read as a C string ({@link MemorySegment#getString}). */
    public static final AddressLayout C_STRING =
            ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, JAVA_BYTE));

    /** The function reports failure through errno: see {@link Errno} for what the binding returns. */
    @Retention(RUNTIME)
    @Target(METHOD)
    public @interface SetsErrno {}

    /**
     * The function is one short system call that never calls back into Java: linked
     * {@code critical(true)}, so it may be handed heap segments ({@code MemorySegment.ofArray}).
     */
    @Retention(RUNTIME)
    @Target(METHOD)
    public @interface Critical {}

    /** The function is variadic; the arguments from this index on are its variadic part. */
    @Retention(RUNTIME)
    @Target(METHOD)
    public @interface Variadic {
        int value();
    }

    /** The C name, when the Java method is a second binding of one function (one without errno). */
    @Retention(RUNTIME)
    @Target(METHOD)
    public @interface Symbol {
        String value();
    }

    /** The returned pointer is a C string: the segment can be read with {@code getString(0)}. */
    @Retention(RUNTIME)
    @Target(METHOD)
    public @interface CString {}

    private Native() {}

    /**
     * The functions of {@code api} found in {@code library}.
     *
     * @param lookup  a lookup of {@code api}'s package with full privileges ({@code MethodHandles.lookup()}
     *                in it): the implementation is defined there, so {@code api} may be package-private
     * @param name    the library's name, for the error when a function is missing
     * @throws IllegalStateException naming the function, when the library has no such function
     */
    public static <T> T bind(MethodHandles.Lookup lookup, Class<T> api, SymbolLookup library, String name) {
        List<Method> functions = Stream.of(api.getMethods())
                .filter(m -> Modifier.isAbstract(m.getModifiers()))
                .sorted(Comparator.comparing(Method::getName).thenComparing(m -> methodType(m).toMethodDescriptorString()))
                .toList();
        List<MethodHandle> handles = new ArrayList<>();
        for (Method m : functions) {
            handles.add(downcall(m, library, name));
        }
        ClassDesc self = ClassDesc.of(api.getPackageName(), api.getSimpleName() + "$Bound");
        byte[] bytes = ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC)
                    .withSuperclass(CD_Object)
                    .withInterfaceSymbols(api.describeConstable().orElseThrow());
            cb.withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC,
                    code -> code.aload(0).invokespecial(CD_Object, INIT_NAME, MTD_void).return_());
            for (int i = 0; i < functions.size(); i++) {
                Method m = functions.get(i);
                MethodTypeDesc desc = methodType(m).describeConstable().orElseThrow();
                var handle = DynamicConstantDesc.ofNamed(BSM_CLASS_DATA_AT, DEFAULT_NAME, CD_MethodHandle, i);
                cb.withMethodBody(m.getName(), desc, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, code -> {
                    code.ldc(handle);
                    int slot = 1;
                    for (Class<?> p : m.getParameterTypes()) {
                        TypeKind kind = TypeKind.from(p);
                        code.loadLocal(kind, slot);
                        slot += kind.slotSize();
                    }
                    code.invokevirtual(CD_MethodHandle, "invokeExact", desc);
                    code.return_(TypeKind.from(m.getReturnType()));
                });
            }
        });
        try {
            MethodHandles.Lookup bound = lookup.defineHiddenClassWithClassData(bytes, handles, true);
            return api.cast(bound.findConstructor(bound.lookupClass(), MethodType.methodType(void.class)).invoke());
        } catch (Throwable t) {
            throw new IllegalStateException("cannot implement " + api.getName() + " over " + name, t);
        }
    }

    /**
     * A C function pointer that calls {@code target} (for callbacks such as libbpf's print
     * function), alive as long as the process: callbacks are registered once.
     */
    public static MemorySegment upcall(MethodHandle target, FunctionDescriptor descriptor) {
        return LINKER.upcallStub(target, descriptor, Arena.global());
    }

    private static MethodType methodType(Method m) {
        return MethodType.methodType(m.getReturnType(), m.getParameterTypes());
    }

    private static MethodHandle downcall(Method m, SymbolLookup library, String libraryName) {
        Symbol alias = m.getAnnotation(Symbol.class);
        String function = alias == null ? m.getName() : alias.value();
        MemorySegment address = library.find(function).orElseThrow(
                () -> new IllegalStateException(libraryName + " has no function " + function));
        MemoryLayout[] args = Stream.of(m.getParameterTypes()).map(t -> layout(t, m)).toArray(MemoryLayout[]::new);
        FunctionDescriptor fd = m.getReturnType() == void.class ? FunctionDescriptor.ofVoid(args)
                : FunctionDescriptor.of(m.isAnnotationPresent(CString.class) ? C_STRING : layout(m.getReturnType(), m), args);
        List<Linker.Option> options = new ArrayList<>();
        if (m.getAnnotation(Variadic.class) instanceof Variadic v) {
            options.add(Linker.Option.firstVariadicArg(v.value()));
        }
        if (m.isAnnotationPresent(Critical.class)) {
            options.add(Linker.Option.critical(true));
        }
        boolean errno = m.isAnnotationPresent(SetsErrno.class);
        if (errno) {
            options.add(Errno.CAPTURE);
        }
        MethodHandle handle = LINKER.downcallHandle(address, fd, options.toArray(Linker.Option[]::new));
        return errno ? Errno.captured(handle) : handle;
    }

    private static MemoryLayout layout(Class<?> type, Method m) {
        if (type == int.class) {
            return JAVA_INT;
        } else if (type == long.class) {
            return JAVA_LONG;
        } else if (type == short.class) {
            return JAVA_SHORT;
        } else if (type == byte.class) {
            return JAVA_BYTE;
        } else if (type == MemorySegment.class) {
            return ADDRESS;
        }
        throw new IllegalArgumentException(m + ": C has no " + type.getName()
                + "; use int, long, short, byte or MemorySegment (a pointer)");
    }
}
