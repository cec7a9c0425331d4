package org.m365mail.alert;

import jakarta.mail.Message;
import org.m365mail.api.MailSendException;

import java.util.List;

/** The pool's own way of sending an alert, and what must never appear in one; given by the connection factory. */
public interface AlertChannel {

    /**
     * Sends {@code message} through the pool itself (its transport and sending policy, not its application
     * connections), with the pool's {@code fromAddress} as the sender.
     */
    void sendThroughPool(Message message) throws MailSendException;

    /** The pool's secrets (client secret, passwords, keys) as configured now, to keep out of any alert. */
    List<String> secrets();
}
