/**
 * The transaction coordinator, run in the client as in DINT. {@link io.dint.txn.TxnEngine} keeps
 * many transactions in flight over one {@link io.dint.client.Transport} and drives each through its
 * phases — EXECUTE, VALIDATE, LOG, BACKUP, PRIMARY, RELEASE (the README's section "Commit
 * protocol"); the application half of a transaction is a {@link io.dint.txn.TxnLogic}, which sees
 * its records through a {@link io.dint.txn.TxnContext}. {@link io.dint.txn.TxnClient} runs one
 * transaction at a time for applications; {@link io.dint.txn.TxnDriver} runs a {@link
 * io.dint.txn.TxnWorkload} from client threads. The coordinator records what it observed for the
 * serializability check ({@link io.dint.check.History}) and what committed ({@link
 * io.dint.txn.CommittedState}).
 *
 * <p>Start with: {@link io.dint.txn.TxnLogic} and {@link io.dint.txn.TxnClient} (the API), then
 * {@link io.dint.txn.TxnEngine}.
 *
 * <p>May use: {@code io.dint.wire}, {@code io.dint.net}, {@code io.dint.client}, {@code
 * io.dint.check}, and from {@code io.dint.shard} {@link io.dint.shard.RecordDigest}, so that what
 * committed digests as a shard's records do.
 */
package io.dint.txn;
