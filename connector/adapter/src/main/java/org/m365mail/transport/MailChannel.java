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

    /** Closes what the channel keeps open. Never fails. */
    @Override
    void close();
}
