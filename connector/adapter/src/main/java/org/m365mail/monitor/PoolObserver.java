package org.m365mail.monitor;

import java.time.Instant;

/** Told when a pool's state changes in a way an administrator should hear about: the alerts. */
public interface PoolObserver {

    /**
     * A failure: of the pool (its credentials, permissions, network, quota) or of one message.
     *
     * @param reason its kind
     * @param detail what failed and what to fix (the failure's text; never a secret)
     * @param at     when
     */
    void failed(FailureReason reason, String detail, Instant at);

    /**
     * The pool works again after pool-wide failures.
     *
     * @param reason   the kind of the failures that ended
     * @param since    when they began
     * @param failures how many there were
     * @param at       when the pool worked again
     */
    void recovered(FailureReason reason, Instant since, long failures, Instant at);

    /**
     * A secret or certificate expires within the warning time, or has expired.
     *
     * @param credential what it is
     * @param expires    when
     * @param at         when this was checked
     */
    void expiring(String credential, Instant expires, Instant at);
}
