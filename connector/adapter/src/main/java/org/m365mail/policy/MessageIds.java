package org.m365mail.policy;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;

import java.util.UUID;

/**
 * Readies a message for sending, as {@code Transport.send} would ({@code saveChanges}), and gives it the
 * {@code Message-ID} the connector returns: the application's own when it set one, otherwise a new one in the
 * sending mailbox's domain (Jakarta Mail would otherwise make one from the server's host name, or overwrite the
 * application's).
 */
public final class MessageIds {

    private MessageIds() {
    }

    /**
     * @return the message's Message-ID, angle brackets included
     */
    public static String prepare(Message message, InternetAddress sender) throws MessagingException {
        String[] existing = message.getHeader("Message-ID");
        String id = existing != null && existing.length > 0 && !existing[0].isBlank()
                ? existing[0].trim() : create(sender);
        message.saveChanges();
        message.setHeader("Message-ID", id);
        return id;
    }

    static String create(InternetAddress sender) {
        String address = sender.getAddress();
        return "<" + UUID.randomUUID() + "@" + address.substring(address.indexOf('@') + 1) + ">";
    }
}
