package org.m365mail.api;

import jakarta.mail.Message;

import java.sql.Connection;
import java.util.List;

/**
 * A connection factory's durable outbox: a database table (named by the factory's {@code outboxDataSource}) that
 * messages sent inside a transaction are written to, and that the connector delivers from after the commit, with
 * retries, across restarts and across the instances of a cluster, each message once.
 *
 * <p>Obtained from {@link MailConnectionFactory#outbox()}; what an application's own tooling needs to watch and
 * repair it:
 * <pre>{@code
 * MailOutbox outbox = factory.outbox().orElseThrow();
 * OutboxCounts counts = outbox.counts();
 * for (OutboxEntry failed : outbox.entries(OutboxEntry.State.FAILED, 50)) {
 *     log.warning(failed.messageId() + ": " + failed.lastError());
 *     outbox.retry(failed.messageId());   // or outbox.discard(...)
 * }
 * }</pre>
 */
public interface MailOutbox {

    /**
     * Writes a message to the outbox on the caller's own JDBC connection, in the caller's local transaction, for use
     * without JTA (plain Java, a non-transactional data source): the message is delivered once the caller commits
     * that connection, and not if it rolls back. Inside a JTA transaction, {@link MailConnection#send} does this
     * itself.
     *
     * @param connection a connection to the outbox's database, in the caller's transaction; not closed here
     * @param message    the message; checked by the factory's sending policy before it is written
     * @return the message's {@code Message-ID}, angle brackets included: the outbox's key for it
     * @throws MailSendException if the message is refused, or cannot be written (the message says why)
     */
    String enqueue(Connection connection, Message message) throws MailSendException;

    /** @return how many messages are waiting, being sent, delivered (and still kept), failed, and in doubt */
    OutboxCounts counts() throws MailSendException;

    /**
     * @param state which entries
     * @param limit at most this many, oldest first
     * @return the entries in that state
     */
    List<OutboxEntry> entries(OutboxEntry.State state, int limit) throws MailSendException;

    /**
     * Sends a {@link OutboxEntry.State#FAILED} or {@link OutboxEntry.State#IN_DOUBT} message again, from now, with a
     * fresh count of attempts. Retrying one in doubt may deliver it twice: check first (the Exchange message trace
     * finds it by its {@code Message-ID}).
     *
     * @return whether such an entry existed and was put back in line
     */
    boolean retry(String messageId) throws MailSendException;

    /**
     * Removes a {@link OutboxEntry.State#FAILED} or {@link OutboxEntry.State#IN_DOUBT} message from the outbox
     * without sending it.
     *
     * @return whether such an entry existed and was removed
     */
    boolean discard(String messageId) throws MailSendException;
}
