package io.dint.cli;

import picocli.CommandLine.Option;

/** {@code --lock-ids}: the size of a lock service's id space. */
final class LockIds {
    @Option(names = "--lock-ids", paramLabel = "N", defaultValue = "1000000", description = "Distinct lock ids (bench: also the OCC and log keys;"
            + " paper: 24000000); a table holds 1.5x as many entries. Default: ${DEFAULT-VALUE}.")
    long count;
}
