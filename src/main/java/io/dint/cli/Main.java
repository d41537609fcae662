package io.dint.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** Entry point of {@code ./dint}: one subcommand per job. */
@Command(name = "dint", mixinStandardHelpOptions = true,
        description = "DINT: distributed transactions answered in the kernel by XDP.",
        footer = "The launcher ./dint also has build, test and help; ./dint help lists every command.",
        subcommands = {BenchCommand.class, ReportCommand.class, ChaosCommand.class, ServeCommand.class, ClusterCommand.class,
                ExampleCommand.class, ReplayCommand.class, CleanCommand.class, TuneCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code ./dint} runs it: an error is one line on stderr and exit code 1. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("dint: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (System.getenv("DINT_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli;
    }
}
