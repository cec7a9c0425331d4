package org.m365mail.policy;

import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;

/**
 * A message the {@link SendingPolicy} let through: what it found out about the message, and the message's turn in
 * the mailbox's pace, held until {@link #close()} (once the service has answered, or the send has failed).
 */
public final class Admission implements AutoCloseable {

    private final String messageId;
    private final InternetAddress from;
    private final InternetAddress sender;
    private final Address[] recipients;
    private final MailboxLimits.Slot turn;

    Admission(String messageId, InternetAddress from, InternetAddress sender, Address[] recipients,
              MailboxLimits.Slot turn) {
        this.messageId = messageId;
        this.from = from;
        this.sender = sender;
        this.recipients = recipients.clone();
        this.turn = turn;
    }

    /** The message's {@code Message-ID}, angle brackets included. */
    public String messageId() {
        return messageId;
    }

    /** The message's From: the configured mailbox, or an allowed address the application chose. */
    public InternetAddress from() {
        return from;
    }

    /** The message's Sender, when it sends on behalf of another mailbox; else {@code null}. */
    public InternetAddress sender() {
        return sender;
    }

    /** To, Cc and Bcc: everyone the message goes to. */
    public Address[] recipients() {
        return recipients.clone();
    }

    /** Ends the message's turn in the pace; the next message may go once the pace allows. */
    @Override
    public void close() {
        turn.close();
    }
}
