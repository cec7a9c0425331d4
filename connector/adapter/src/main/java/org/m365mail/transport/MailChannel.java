package org.m365mail.transport;

import jakarta.mail.Message;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;

/**
 * The sending side of one managed connection. Used by one thread at a time, as the managed connection is.
 */
public interface MailChannel extends AutoCloseable {

    /**
     * Sends the message.
     *
     * @throws MailSendException if the service did not accept it
     */
    SentMessage send(Message message) throws MailSendException;

    /**
     * Whether the channel can no longer be used (its connection broke); the managed connection then tells the pool
     * to discard it.
     */
    boolean isBroken();

    /**
     * Opens what the channel needs before its first send (an SMTP connection, signed in), so that a failure shows
     * when the pool makes the connection, and its Ping tests it. Nothing for channels without a connection.
     *
     * @throws MailSendException naming what to fix
     */
    default void open() throws MailSendException {
    }

    /**
     * Ends the channel at once, from any thread, even under a send in progress (which then fails and is not sent
     * again); for the pool's {@code destroy()}. By default the same as {@link #close()}.
     */
    default void abort() {
        close();
    }

    /** Closes what the channel keeps open. Never fails. */
    @Override
    void close();
}
