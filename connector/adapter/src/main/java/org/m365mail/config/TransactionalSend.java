package org.m365mail.config;

/** What {@code send} does inside the caller's JTA transaction ({@code transactionalSend}). */
public enum TransactionalSend {
    /** Sent once the transaction commits; not at all if it rolls back (with an outbox: written to it). */
    AFTER_COMMIT,
    /** Sent at once, whatever the transaction does afterwards (the connector's behaviour before 0.2). */
    IMMEDIATE
}
