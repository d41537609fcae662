package io.dint.shard;

import io.dint.testing.Scenario;
import io.dint.testing.TxnMessages;
import io.dint.wire.Op;
import io.dint.wire.RequestIds;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard's rules on one record as scenarios: steps, each a request, its reply read as
 * {@link TxnMessages#describe} ("GRANT v1 exists w100") and the counters the kernel moves. The
 * kernel program ({@link ShardXdpTest}, every step answered from its cache) and the udp backend's
 * {@link ShardStore} ({@link ShardStoreTest}) run every scenario.
 *
 * <p>A table row ({@link Scenario#table}): what the step does | the request | the reply | the
 * kernel's counters besides RX and TX | optionally the locks held after it. A request is
 * {@code op key txn}, and for a LOG or install {@code vN} (its version), {@code unlock} and
 * {@code wN} (its value); {@code @name} names it, {@code again} sends the last request again
 * (a retransmission: the same bytes), {@code again @name} the one so named, and {@code restarted}
 * sends it from the client restarted: a new incarnation, its counter from 1 again.
 */
final class ShardScenarios {
    private ShardScenarios() {}

    /** The key every scenario works on. */
    static final long A = 0x0200_0000_0000_0007L;

    /** The counters the Java shard keeps as the kernel does; the others are the kernel cache's or its alone. */
    static final int[] COUNTED_BY_BOTH = {Stat.GRANT, Stat.REJECT, Stat.RETRY, Stat.NOT_HELD, Stat.DUPLICATE, Stat.TXN_STALE,
        Stat.TXN_GRACE, Stat.TXN_LOCK_TAKEOVER};

    /**
     * One step: a request ({@code op} of {@code key} by {@code txn}, an install's {@code version},
     * {@code flags} and value {@code word}; {@code again}, a resend of the request named
     * {@code name}, or of the last when null), the reply it must get, the kernel counters it moves,
     * and, when not negative, the locks held after it.
     */
    record Step(String description, int op, long key, long txn, int version, int flags, long word, String name, boolean again,
                boolean restarted, String reply, int[] counts, long locksHeld) {
        @Override
        public String toString() {
            return description;
        }
    }

    /** Makes a scenario's requests as one client sends them: ids from its incarnation and counter, resends byte for byte. */
    static final class Client {
        static final int ID = 3;
        private final Map<String, byte[]> named = new HashMap<>();
        private int incarnation = RequestIds.newIncarnation(0);
        private int counter;
        private byte[] last;

        /** The request of step {@code s}. */
        byte[] request(Step s) {
            if (s.again()) {
                byte[] b = s.name() == null ? last : named.get(s.name());
                if (b == null) {
                    throw new IllegalArgumentException("step '" + s + "' resends " + (s.name() == null ? "the last request"
                            : "@" + s.name()) + ", which was not sent before it");
                }
                return b;
            }
            if (s.restarted()) {
                incarnation = RequestIds.newIncarnation(incarnation);
                counter = 0;
            }
            long seq = RequestIds.seq(incarnation, ++counter);
            last = s.op() >= Op.TXN_COMMIT_LOG
                    ? TxnMessages.install(s.op(), ID, seq, s.key(), s.txn(), s.version(), s.flags(), s.word())
                    : TxnMessages.request(s.op(), ID, seq, s.key(), s.txn());
            if (s.name() != null) {
                named.put(s.name(), last);
            }
            return last;
        }
    }

    private static Scenario<Step> table(String name, String rows) {
        return Scenario.table(name, A, rows, ShardScenarios::step);
    }

    private static Step step(Scenario.Row r) {
        String[] q = r.words(1, 1, 8);
        String name = null;
        boolean again = q[0].equals("again"), restarted = false;
        int op = again ? 0 : r.op(q[0]), version = 0, flags = 0;
        long key = 0, txn = 0, word = 0;
        int from = 1;
        if (!again) {
            if (q.length < 3) {
                throw r.bad("a request is op, key and transaction, then what it carries");
            }
            key = r.id(q[1]);
            txn = r.number(q[2]);
            from = 3;
        }
        for (int i = from; i < q.length; i++) {
            String w = q[i];
            if (w.startsWith("@")) {
                name = w.substring(1);
            } else if (w.equals("restarted") && !again) {
                restarted = true;
            } else if (w.equals("unlock") && !again) {
                flags |= Wire.TXN_F_UNLOCK;
            } else if (w.startsWith("v") && !again) {
                version = (int) r.number(w.substring(1));
            } else if (w.startsWith("w") && !again) {
                word = r.number(w.substring(1));
            } else {
                throw r.bad("'" + w + "' is not part of a request: vN, unlock, wN, @name or restarted");
            }
        }
        return new Step(r.description(), op, key, txn, version, flags, word, name, again, restarted, r.cell(2), r.stats(3),
                r.has(4) ? r.number(r.cell(4)) : -1);
    }

    /** Every scenario. */
    static List<Scenario<Step>> all() {
        return List.of(
            table("an installed record is read with its lock, and its locks go with its install", """
                an insert                               | txn_insert_primary a 1 v1 w100        | APPLIED v1 w100          | txn_install_hit
                a lock                                  | txn_occ_lock a 5                      | GRANT v1 exists w100     | grant txn_read_hit
                another transaction sees it locked      | txn_validate a 6                      | OK v1 exists locked w100 | txn_read_hit
                and may not lock it                     | txn_occ_lock a 6                      | REJECT v0                | reject
                the primary's install unlocks it        | txn_commit_primary a 5 v2 unlock w200 | APPLIED v2 unlock w200   | txn_install_hit
                the other sees the new version unlocked | txn_validate a 6                      | OK v2 exists w200        | txn_read_hit
                this very write again                   | txn_commit_backup a 9 v2 w200         | ALREADY_APPLIED v2 w200  | txn_install_hit
                the same version with another value     | txn_commit_backup a 9 v2 w999         | REFUSED v2 w999          | txn_install_hit
                an older version: the record's in reply | txn_commit_backup a 9 v1 w100         | REFUSED v2 w100          | txn_install_hit
                what is not newer changed nothing       | txn_read a 6                          | OK v2 exists w200        | txn_read_hit | 0
                """),
            table("a key the bucket never had is answered absent", """
                a read | txn_read a 1 | OK v0 | txn_absent | 0
                """),
            table("a retransmitted lock is granted once and answered with the record again", """
                an insert                   | txn_insert_primary a 1 v1 w77 | APPLIED v1 w77      | txn_install_hit
                a shared lock               | txn_lock_shared a 4           | GRANT v1 exists w77 | grant txn_read_hit
                the lock again              | again                         | GRANT v1 exists w77 | duplicate txn_read_hit | 1
                its release                 | txn_release_shared a 4        | OK v0               | release                | 0
                granted once, released once | txn_release_shared a 4        | NOT_HELD v0         | not_held
                """),
            table("a transaction never conflicts with itself on a shared lock", """
                a reader                    | txn_lock_shared a 4       | GRANT v0  | grant txn_absent
                another reader's upgrade    | txn_lock_exclusive a 5    | REJECT v0 | reject
                its own upgrade             | txn_lock_exclusive a 4    | GRANT v0  | grant txn_absent
                a reader while exclusive    | txn_lock_shared a 5       | REJECT v0 | reject
                the upgrade released        | txn_release_exclusive a 4 | OK v0     | release
                a second reader             | txn_lock_shared a 5       | GRANT v0  | grant txn_absent
                an upgrade with two readers | txn_lock_exclusive a 4    | REJECT v0 | reject
                the first reader leaves     | txn_release_shared a 4    | OK v0     | release
                the second reader leaves    | txn_release_shared a 5    | OK v0     | release | 0
                """),
            table("an install is applied when newer, already applied when the same write, and else refused", """
                an insert                    | txn_insert_backup a 1 v1 w10         | APPLIED v1 w10         | txn_install_hit
                a commit                     | txn_commit_backup a 2 v2 w20 @commit | APPLIED v2 w20         | txn_install_hit
                a retransmission             | again @commit                        | ALREADY_APPLIED v2 w20 | txn_install_hit
                version 2 with another value | txn_commit_backup a 3 v2 w21         | REFUSED v2 w21         | txn_install_hit
                version 2 deleted            | txn_delete_backup a 3 v2             | REFUSED v2             | txn_install_hit
                an older version             | txn_commit_backup a 1 v1 w10         | REFUSED v2 w10         | txn_install_hit
                nothing refused was written  | txn_read a 9                         | OK v2 exists w20       | txn_read_hit
                a delete                     | txn_delete_primary a 4 v3 @delete    | APPLIED v3             | txn_install_hit
                the delete again             | again @delete                        | ALREADY_APPLIED v3     | txn_install_hit
                the record no longer exists  | txn_read a 9                         | OK v3                  | txn_read_hit | 0
                """),
            table("an unlocking install is answered once and its retransmission as before", """
                an insert                         | txn_insert_primary a 1 v1 w10                | APPLIED v1 w10        | txn_install_hit
                a lock                            | txn_occ_lock a 5                             | GRANT v1 exists w10   | grant txn_read_hit
                an install of a version not newer | txn_commit_primary a 5 v1 unlock w11         | REFUSED v1 unlock w11 | txn_install_hit | 1
                a refused install keeps its lock  | txn_occ_lock a 6                             | REJECT v0             | reject
                the commit                        | txn_commit_primary a 5 v2 unlock w20 @commit | APPLIED v2 unlock w20 | txn_install_hit | 0
                another lock                      | txn_occ_lock a 6                             | GRANT v2 exists w20   | grant txn_read_hit
                a newer write                     | txn_commit_primary a 6 v3 unlock w30         | APPLIED v3 unlock w30 | txn_install_hit
                the commit again, after it        | again @commit                                | APPLIED v2 unlock w20 | duplicate       | 0
                """),
            table("a restarted client's request is not taken for its predecessor's", """
                a lock                              | txn_lock_exclusive a 5 @first    | GRANT v0  | grant txn_absent
                its release                         | txn_release_exclusive a 5        | OK v0     | release
                a retransmission: no longer a grant | again @first                     | REJECT v0 | duplicate        | 0
                the same counter, a new incarnation | txn_lock_exclusive a 8 restarted | GRANT v0  | grant txn_absent | 1
                """));
    }
}
