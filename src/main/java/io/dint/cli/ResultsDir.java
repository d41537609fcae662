package io.dint.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --results}: where runs write their JSON results and {@code report} reads them. */
final class ResultsDir {
    @Option(names = "--results", paramLabel = "DIR", defaultValue = "results", description = "Directory of the JSON results: bench"
            + " and chaos write theirs there, report reads the newest of each benchmark there. Default: ${DEFAULT-VALUE}.")
    Path dir;
}
