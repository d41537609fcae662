/**
 * {@code ./dint report}: PNG figures and {@code report.md} from benchmark results. {@link
 * io.dint.report.Result} reads a result's JSON back into a {@link io.dint.bench.BenchReport}, so the
 * figures and tables take their numbers by the bench's own rules; {@code Charts} draws the figures
 * (XChart, headless), {@code ReportMarkdown} writes the tables, {@link io.dint.report.Report} puts
 * them together.
 *
 * <p>Start with: {@link io.dint.report.Report}.
 *
 * <p>May use: {@code io.dint.bench} (its result types and rules) only.
 */
package io.dint.report;
