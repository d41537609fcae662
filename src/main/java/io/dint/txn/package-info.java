/**
 * Transactions, coordinated in the client as in DINT: {@link io.dint.txn.TxnEngine} runs many at
 * once over one transport through their phases ({@code Phase}: EXECUTE, VALIDATE, LOG, BACKUP,
 * PRIMARY, RELEASE, RELOG) against three shard replicas; the application's half is a
 * {@link io.dint.txn.TxnLogic} working on a {@link io.dint.txn.TxnContext}; what becomes of each
 * transaction goes to {@link io.dint.txn.TxnListener}s (history, committed state, workload tally,
 * unknown outcomes). {@link io.dint.txn.TxnClient} runs one at a time, {@link io.dint.txn.TxnDriver}
 * a workload from client threads. Uses {@code io.dint.client} (transports, the client loop),
 * {@code io.dint.wire} (messages, record digests), {@code io.dint.net} (addresses, namespaces) and
 * {@code io.dint.check} (the history); knows no workload, and no server.
 *
 * <p>Start with: {@link io.dint.txn.TxnLogic} and {@link io.dint.txn.TxnClient} (the API), then
 * {@link io.dint.txn.TxnEngine}.
 */
package io.dint.txn;
