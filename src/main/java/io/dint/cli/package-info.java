/**
 * The command line: {@link io.dint.cli.Main} and one picocli command per {@code ./dint} command
 * ({@code bench}, {@code serve}, {@code cluster}, {@code example}, {@code replay}, {@code report},
 * {@code tune}, {@code clean}). A command parses its options and assembles parts; the work is done
 * in the packages it calls.
 *
 * <p>Start with: {@link io.dint.cli.Main}, then {@code ServeCommand} and {@code BenchCommand}.
 *
 * <p>May use: every package. No package imports it; {@link io.dint.cluster.LocalCluster#MAIN_CLASS}
 * names {@code Main} to start server JVMs inside the cluster's hosts, and {@code MainClassTest}
 * holds that name to the class.
 */
package io.dint.cli;
