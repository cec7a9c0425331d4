package org.m365mail.transport;

import org.m365mail.api.MailSendException;

/**
 * A way of sending mail for one connection factory (Graph or SMTP), holding what all its connections share:
 * the token source, the HTTP client or the mail session. Thread-safe.
 */
public interface MailTransport extends AutoCloseable {

    /** A channel for one managed connection: what that connection keeps open between sends. */
    MailChannel open();

    /**
     * Fetches a new access token now (for a delegated consent, this renews its refresh token); nothing for
     * transports without tokens.
     */
    default void renewToken() throws MailSendException {
    }

    /** Releases what the transport holds (threads, sockets). */
    @Override
    void close();
}
