package org.m365mail.api;

import jakarta.mail.Message;

import java.util.concurrent.CompletionStage;

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
     *
     * <p><b>Outside a JTA transaction</b> the call returns once Microsoft 365 has accepted the message for delivery
     * ({@link SentMessage.Status#ACCEPTED}); it throws if it did not, so a message is never silently lost.
     *
     * <p><b>Inside a JTA transaction</b> (an EJB or {@code @Transactional} method) the message follows the
     * transaction: it is checked at once (a message the factory's policy refuses throws here), given its
     * {@code Message-ID}, and sent only if the transaction commits, never if it rolls back. The call then returns
     * {@link SentMessage.Status#AFTER_COMMIT} or, when the factory has an outbox ({@code outboxDataSource}),
     * {@link SentMessage.Status#IN_OUTBOX}: the message was written to the outbox in the same transaction and the
     * connector delivers it after the commit, across restarts, with retries. A failure after the commit is logged
     * ({@code M365MAIL-7002}), counted in the factory's metrics and told to its alert address; with an outbox it is
     * also kept in the outbox's record ({@link MailConnectionFactory#outbox()}). A factory whose administrator set
     * {@code transactionalSend=IMMEDIATE} sends at once even inside a transaction.
     *
     * @param message the message to send; not {@code null}
     * @return what identifies the sent message (its {@code Message-ID} and the service's reference)
     * @throws MailSendException if the message was not accepted; the exception's message says why and what to change
     */
    SentMessage send(Message message) throws MailSendException;

    /**
     * Sends a message without waiting for Microsoft 365: the message is checked and given its {@code Message-ID} at
     * once (a refused message throws here), copied, and sent on the resource adapter's work threads (the server's
     * {@code WorkManager}), not on the caller's. Inside a JTA transaction it is sent only once the transaction
     * commits; a rollback completes the stage exceptionally without sending.
     *
     * <p>At most {@code pendingSendsLimit} messages of a factory wait at once; beyond that the call waits up to
     * {@code pendingSendsWaitMillis} for room and then throws (error code {@code PendingSendsFull}), so a burst
     * cannot exhaust the server's memory.
     *
     * <pre>{@code
     * connection.sendAsync(message).whenComplete((sent, failure) -> {
     *     if (failure != null) { log.warning("Not sent: " + failure.getMessage()); }
     * });
     * }</pre>
     *
     * @param message the message to send; not {@code null}. The connector sends a copy: changing the message after
     *                the call does not change what is sent
     * @return completes with the {@link SentMessage} once Microsoft 365 accepted the message, or exceptionally with
     * a {@link MailSendException} saying why not
     * @throws MailSendException if the message is refused before sending, or no room frees up in time
     */
    CompletionStage<SentMessage> sendAsync(Message message) throws MailSendException;

    /**
     * Returns the connection to the pool. Calling it again has no effect; any other call after it fails.
     */
    @Override
    void close();
}
