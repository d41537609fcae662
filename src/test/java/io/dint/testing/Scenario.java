package io.dint.testing;

import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.LongFunction;

/**
 * A named list of steps that more than one implementation runs (the kernel program and its Java
 * twin), written for two ids that share an entry: {@code steps} is given the second one, found in
 * the table the scenario runs on ({@link LockEntries#sharing}).
 *
 * <p>A scenario is written as a table ({@link #table}), as Katran writes its fixtures: one step a
 * line, its cells split at {@code |} and read by the service's {@link RowReader}. Ops, statuses
 * and counters are written by their names ({@link Op#name}, {@link Status#name}, {@link Stat#name}),
 * ids as {@code a}, {@code b} (the id sharing a's entry) or a number.
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

    /** Reads one line of a table into a step. */
    @FunctionalInterface
    public interface RowReader<S> {
        S read(Row row);
    }

    /**
     * The scenario {@code name} whose steps are the non-blank lines of {@code table}, each read by
     * {@code reader}; {@code a} is the id written {@code a}. A line that does not read fails when the
     * steps are made, naming the scenario and the line.
     */
    public static <S> Scenario<S> table(String name, long a, String table, RowReader<S> reader) {
        List<String> lines = table.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return new Scenario<>(name, b -> lines.stream().map(l -> reader.read(new Row(name, l, a, b))).toList());
    }

    /** One line of a scenario table: its cells, read by type; a cell that does not read fails naming the line. */
    public static final class Row {
        private final String scenario;
        private final String line;
        private final String[] cells;
        private final long a;
        private final long b;

        Row(String scenario, String line, long a, long b) {
            this.scenario = scenario;
            this.line = line;
            this.cells = Arrays.stream(line.split("\\|")).map(String::strip).toArray(String[]::new);
            this.a = a;
            this.b = b;
        }

        /** The first cell: what the step does, as a failure names it. */
        public String description() {
            return cells[0];
        }

        /** True when the line has a non-empty cell {@code i}. */
        public boolean has(int i) {
            return i < cells.length && !cells[i].isEmpty();
        }

        /** Cell {@code i} as written. */
        public String cell(int i) {
            if (!has(i)) {
                throw bad("no cell " + i);
            }
            return cells[i];
        }

        /** The words of cell {@code i}: at least {@code min}, at most {@code max}. */
        public String[] words(int i, int min, int max) {
            String[] w = cell(i).split("\\s+");
            if (w.length < min || w.length > max) {
                throw bad("cell " + i + " has " + w.length + " words, not " + (min == max ? min : min + " to " + max));
            }
            return w;
        }

        /** An id: {@code a}, {@code b} or a number. */
        public long id(String word) {
            return switch (word) {
                case "a" -> a;
                case "b" -> b;
                default -> number(word);
            };
        }

        /** A number, decimal or {@code 0x} hexadecimal, negative allowed. */
        public long number(String word) {
            try {
                return word.startsWith("0x") ? Long.parseUnsignedLong(word.substring(2), 16) : Long.parseLong(word);
            } catch (NumberFormatException e) {
                throw bad("'" + word + "' is not a number");
            }
        }

        /** Numbers, one a word of cell {@code i}. */
        public long[] numbers(int i) {
            return Arrays.stream(cell(i).split("\\s+")).mapToLong(this::number).toArray();
        }

        /** An op by its name ({@link Op#name}). */
        public int op(String word) {
            return named(word, Op.MAX, Op::name, "op");
        }

        /** A status by its name ({@link Status#name}). */
        public int status(String word) {
            return named(word, 256, Status::name, "status");
        }

        /** A counter by its name ({@link Stat#name}). */
        public int stat(String word) {
            return named(word, Stat.MAX, Stat::name, "counter");
        }

        /** Counters by their names, one a word of cell {@code i}; none when the cell is empty or absent. */
        public int[] stats(int i) {
            return has(i) ? Arrays.stream(cells[i].split("\\s+")).mapToInt(this::stat).toArray() : new int[0];
        }

        private int named(String word, int max, IntFunction<String> name, String what) {
            for (int v = 0; v < max; v++) {
                if (name.apply(v).equals(word)) {
                    return v;
                }
            }
            throw bad("no " + what + " named '" + word + "'");
        }

        /** An error naming the scenario and the line, saying {@code why}. */
        public IllegalArgumentException bad(String why) {
            return new IllegalArgumentException("scenario '" + scenario + "', line '" + line + "': " + why);
        }
    }
}
