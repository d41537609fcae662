package io.dint.bpf;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the C map or program a component of a typed object record stands for ({@link
 * ObjectSpec#load}): a {@link BpfMap} component is the map of that name, a {@link BpfProgram}
 * component the program (its C function name).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Handle {
    /** The C name. */
    String value();
}
