package org.m365mail.api;

import java.io.Serializable;
import java.time.Instant;

/**
 * One message in a {@link MailOutbox}, as the outbox's table records it (without its content).
 *
 * @param messageId     the message's {@code Message-ID}, angle brackets included
 * @param state         where it is
 * @param attempts      how many times delivery was attempted
 * @param createdAt     when it was written (the caller's transaction)
 * @param nextAttemptAt when it is tried next ({@link State#WAITING}), else {@code null}
 * @param deliveredAt   when Microsoft 365 accepted it ({@link State#DELIVERED}), else {@code null}
 * @param lastError     why the last attempt failed, or {@code null}; never holds a secret
 */
public record OutboxEntry(String messageId, State state, int attempts, Instant createdAt, Instant nextAttemptAt,
                          Instant deliveredAt, String lastError) implements Serializable {

    /** Where a message in the outbox is. */
    public enum State {
        /** Waiting for its first attempt, or for its next one after a failure that may pass. */
        WAITING,
        /** An instance has claimed it and is sending it now. */
        SENDING,
        /** Microsoft 365 accepted it; kept for {@code outboxKeepDeliveredHours}, then removed. */
        DELIVERED,
        /**
         * Microsoft 365 refused it for good (a bad recipient, too large), or it kept failing for
         * {@code outboxRetryHours}: kept with its error until retried or discarded.
         */
        FAILED,
        /**
         * A send was under way when its instance stopped or lost its answer, so whether Microsoft 365 accepted it is
         * unknown. It is not sent again on its own (that could deliver it twice): check the message trace, then retry
         * or discard it.
         */
        IN_DOUBT
    }
}
