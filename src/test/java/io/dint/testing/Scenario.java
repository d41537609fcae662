package io.dint.testing;

import java.util.List;
import java.util.function.LongFunction;

/**
 * A named list of steps that more than one implementation runs (the kernel program and its Java
 * twin), written for two ids that share an entry: {@code steps} is given the second one, found in
 * the table the scenario runs on ({@link LockEntries#sharing}).
 *
 * @param <S> a step: a request and what must come of it
 */
public record Scenario<S>(String name, LongFunction<List<S>> steps) {
    /** The steps, {@code b} the id that shares the first id's entry in the table they run on. */
    public List<S> with(long b) {
        return steps.apply(b);
    }

    /** The name, as a parameterized test shows it. */
    @Override
    public String toString() {
        return name;
    }
}
