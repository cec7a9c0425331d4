package org.m365mail.config;

/**
 * What the outbox does with a message whose send may have reached Microsoft 365 but whose answer never came (its
 * instance stopped mid-send, or the answer timed out): {@code outboxInDoubt}.
 */
public enum InDoubtPolicy {
    /** Kept as IN_DOUBT and reported; an operator checks the message trace, then retries or discards it. */
    HOLD,
    /** Sent again: never lost, but its recipients may get it twice. */
    RESEND
}
