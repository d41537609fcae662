package io.dint.cli;

import io.dint.report.Report;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Renders benchmark results into PNG figures and a markdown report. */
@Command(name = "report", mixinStandardHelpOptions = true,
        header = "Render PNG figures and report.md from benchmark results.",
        description = "Render PNG figures and report.md from benchmark results (default: the newest result of each benchmark).")
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "RESULT", description = "Result files (JSON) of ./dint bench. Default: the newest of each"
            + " benchmark in --results.")
    List<Path> files = new ArrayList<>();

    @Mixin
    ResultsDir results = new ResultsDir();

    @Option(names = "--out", description = "Directory of report.md and figures/. Default: the --results directory.")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<Path> chosen = files.isEmpty() ? Report.newest(results.dir) : files;
        print(Report.render(chosen, out != null ? out : results.dir));
        return 0;
    }

    /** What a report wrote, one line each. */
    static void print(Report.Rendered r) {
        System.out.println("report: " + r.markdown());
        r.figures().forEach(f -> System.out.println("figure: " + f));
    }
}
