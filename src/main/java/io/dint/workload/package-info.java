/**
 * The paper's transaction workloads: Smallbank on 2PL and TATP on OCC. {@link
 * io.dint.workload.Smallbank} and {@link io.dint.workload.Tatp} specify them — tables and keys, the
 * mix ({@link io.dint.workload.Mix}), the hot set or NURand ({@link io.dint.workload.NuRand}), TATP's
 * population as a pure function of (seed, s_id); {@link io.dint.workload.SmallbankLogic} and {@link
 * io.dint.workload.TatpLogic} are their transactions, as {@link io.dint.txn.TxnLogic}s; {@link
 * io.dint.workload.SmallbankWorkload} and {@link io.dint.workload.TatpWorkload} are what the
 * coordinator runs: the population, the generated transactions and the end-of-run checks ({@code
 * ReplicaCheck} holds the checks both share).
 *
 * <p>Start with: {@link io.dint.workload.Smallbank}, {@link io.dint.workload.SmallbankLogic}, {@link
 * io.dint.workload.SmallbankWorkload}.
 *
 * <p>May use: {@code io.dint.txn}, the transaction API. The generators ({@code Smallbank}, {@code
 * Tatp}, {@code Mix}, {@code NuRand}) use nothing of the project; {@code io.dint.kv} uses {@code
 * Tatp}'s keys. A shard never uses this package: TATP's rule for its check ({@code
 * Tatp.parentKey}) reaches it through {@code TxnWorkload.parentKey} and the command line.
 */
package io.dint.workload;
