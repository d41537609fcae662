/**
 * A cluster of server and client hosts on one machine: network namespaces joined by a Linux bridge.
 *
 * <p>{@link io.dint.cluster.LocalCluster#create} builds it with iproute2 (one veth pair per host,
 * static addresses and neighbours, an XDP_PASS program on every bridge port so the hosts' XDP
 * programs may {@code XDP_TX}), {@link io.dint.cluster.LocalCluster#start} runs JVMs inside hosts, and
 * {@link io.dint.cluster.LocalCluster#close} (or the shutdown hook, or a later
 * {@link io.dint.cluster.LocalCluster#cleanLeftovers}) removes every trace. The same binaries run on
 * real hosts over a real NIC; only this package knows the hosts are namespaces.
 */
package io.dint.cluster;
