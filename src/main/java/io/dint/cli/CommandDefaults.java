package io.dint.cli;

import java.util.Map;
import java.util.Set;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults that differ by command, of options declared once in a shared option group; every
 * other option's default is in its declaration. Each option's description says why its default
 * differs:
 * <ul>
 *   <li>{@code --accounts}, {@code --subscribers}: a server makes room for the largest data set, so
 *       that any client command's default fits it; a benchmark loads the scale of the README's
 *       results; chaos and cluster load less, quick to load and, after a kill, to recover.
 *   <li>{@code --window}: a benchmark measures several sweep points per backend, chaos one point
 *       per run, long enough for its faults and kills to show.
 * </ul>
 */
final class CommandDefaults implements IDefaultValueProvider {
    private static final Map<String, Map<String, String>> BY_COMMAND = Map.of(
            "serve", Map.of("--accounts", "100000", "--subscribers", "100000"),
            "bench", Map.of("--accounts", "20000", "--subscribers", "5000", "--window", "3"),
            "chaos", Map.of("--accounts", "10000", "--subscribers", "5000", "--window", "8"),
            "cluster", Map.of("--accounts", "10000", "--subscribers", "5000"));
    /** The options whose default this table gives: a command that takes one must have its default here. */
    static final Set<String> OPTIONS = Set.of("--accounts", "--subscribers", "--window");

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String name = option.longestName();
        if (!OPTIONS.contains(name)) {
            return null;
        }
        String value = BY_COMMAND.getOrDefault(arg.command().name(), Map.of()).get(name);
        if (value == null) {
            throw new IllegalStateException("no default of " + name + " for dint " + arg.command().name() + ": give one in CommandDefaults");
        }
        return value;
    }
}
