/**
 * Where the hosts are: a cluster of server and client hosts on one machine (network namespaces joined
 * by a Linux bridge), the cluster file that describes real hosts and local ones alike, and the NIC
 * settings a server host wants.
 *
 * <p>{@link io.dint.cluster.LocalCluster} is the façade; each part does one job:
 * <ul>
 *   <li>{@code Topology} — the hosts, their addresses and MACs, the bridge and the veth pairs;</li>
 *   <li>{@code Namespaces} — made, quietened (no IPv6, no netfilter on the bridge), entered on a
 *       platform thread for a moment, deleted with what still runs in them;</li>
 *   <li>{@code BridgePorts} — the XDP program on every bridge port: XDP_PASS, or the switch of a
 *       {@link io.dint.cluster.CoreSplit} cluster;</li>
 *   <li>{@code NapiThreads} — with a split, every poll in a NAPI thread pinned to its side's CPUs;</li>
 *   <li>{@code ChildProcesses} and {@code ReadyLine} — JVMs started inside hosts, the line on stdout
 *       that says they are ready, and their stop;</li>
 *   <li>{@code Leftovers} — the {@code dint-<pid>.<n>} names, and the removal of what a dead run left.</li>
 * </ul>
 * {@link io.dint.cluster.LocalCluster#close} (or the shutdown hook, or a later
 * {@link io.dint.cluster.LocalCluster#cleanLeftovers}) removes every trace: the programs on the bridge
 * ports hang on bpf_links of the creating process and the NAPI threads on the interfaces, so they go
 * with the process or the namespaces. {@link io.dint.cluster.WireFaults} adds drops, duplicates and
 * reordering on the bridge. {@link io.dint.cluster.ClusterFile} (with {@code ClusterFileToml} and
 * {@code ThisMachine}) describes a deployment; {@link io.dint.cluster.NicTuning} (with
 * {@code NicSettings} and {@code NicSteps}) plans and makes a server NIC's settings.
 *
 * <p>May use: {@code io.dint.bpf} (objects, links, TC attachments, the BPF file system),
 * {@code io.dint.net} ({@code Ipv4}, {@code NetNs}), Jackson's TOML reader, and the host's
 * {@code ip}, {@code ethtool}, {@code taskset} and {@code systemctl}. Services, clients and the CLI
 * use this package, never the other way round: the one mention of the CLI is the name of its
 * main class, {@link io.dint.cluster.LocalCluster#MAIN_CLASS}, for the JVMs it starts (a test holds
 * it to the class). The same binaries run on real
 * hosts over a real NIC; only this package knows the hosts are namespaces.
 */
package io.dint.cluster;
