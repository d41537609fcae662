package io.dint.cli;

import io.dint.log.LogReplay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Reads a commit log back and verifies it. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        header = "Read a commit log back, checking every record's checksum.",
        description = "Read a commit log written by 'serve --service log' back: verify every record's CRC32C, report a torn tail "
                + "and appends logged twice (same request id). Exit code 3 when a checksum fails.")
final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--log", required = true, description = "The commit-log file.")
    Path log;

    @Option(names = "--records", description = "Also print every record: index, ok/BAD, client_id, seq, key, version.")
    boolean records;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(log)) {
            throw new IllegalArgumentException("no commit log at " + log + ": give --log the file a log server wrote");
        }
        LogReplay r = LogReplay.read(log, (i, valid, clientId, seq, key, version, value) -> {
            if (records) {
                System.out.printf("%d %s client=%d seq=%d key=%d version=%d%n", i, valid ? "ok" : "BAD", clientId, seq, key, version);
            }
        });
        r.toMap().forEach((k, v) -> System.out.println(k + " = " + v));
        return r.ok() ? 0 : 3;
    }
}
