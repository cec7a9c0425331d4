package org.m365mail.api;

import jakarta.mail.Message;

/**
 * A connection to Microsoft 365 taken from the pool of a {@link MailConnectionFactory}.
 *
 * <p>A connection is meant for one thread at a time and for a short while: obtain it, send one or more
 * messages, close it (try-with-resources). Closing never fails; it returns the physical connection, with its
 * authenticated session, to the pool.
 */
public interface MailConnection extends AutoCloseable {

    /**
     * Sends a message built with Jakarta Mail (usually a {@code jakarta.mail.internet.MimeMessage}).
     *
     * <p>The recipients are the message's To, Cc and Bcc. The sender is the factory's configured mailbox.
     * The call returns once Microsoft 365 has accepted the message for delivery; it throws if it did not, so a
     * message is never silently lost.
     *
     * @param message the message to send; not {@code null}
     * @return what identifies the sent message (its {@code Message-ID} and the service's reference)
     * @throws MailSendException if the message was not accepted; the exception's message says why and what to change
     */
    SentMessage send(Message message) throws MailSendException;

    /**
     * Returns the connection to the pool. Calling it again has no effect; any other call after it fails.
     */
    @Override
    void close();
}
