package io.dint.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that measures what a hot path allocates. These run in a JVM of their own with escape
 * analysis off (pom.xml, surefire execution {@code allocation}): an object the JIT removes only
 * when it can inline the whole path shows up there, as it does in a process whose call sites
 * other code has made megamorphic, so the result does not depend on which tests ran before.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("allocation")
public @interface AllocationCheck {}
