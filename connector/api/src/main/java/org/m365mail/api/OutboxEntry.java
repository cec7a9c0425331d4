package org.m365mail.api;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

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

    // equals, hashCode and toString written out: the generated ones would leave this class, which the RAR carries, in
    // a JDK-wide cache on Java 17 (JDK-8078641) and keep an undeployed RAR's class loader.

    @Override
    public boolean equals(Object other) {
        return other instanceof OutboxEntry o && Objects.equals(o.messageId, messageId) && o.state == state
                && o.attempts == attempts && Objects.equals(o.createdAt, createdAt)
                && Objects.equals(o.nextAttemptAt, nextAttemptAt) && Objects.equals(o.deliveredAt, deliveredAt)
                && Objects.equals(o.lastError, lastError);
    }

    @Override
    public int hashCode() {
        return Objects.hash(messageId, state, attempts, createdAt, nextAttemptAt, deliveredAt, lastError);
    }

    @Override
    public String toString() {
        return "OutboxEntry[messageId=" + messageId + ", state=" + state + ", attempts=" + attempts + ", createdAt="
                + createdAt + ", nextAttemptAt=" + nextAttemptAt + ", deliveredAt=" + deliveredAt + ", lastError="
                + lastError + "]";
    }

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
