package org.m365mail.transport.smtp;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The application's message as the SMTP provider sees it, noting whether its data was written in full.
 *
 * <p>Whether a failed send may have been accepted cannot be read from the provider afterwards: Angus Mail, for one,
 * reports a connection reset while it waits for the reply to the end-of-data line exactly as it reports one while it
 * waits for the reply to {@code MAIL FROM} ("Exception reading response", reply code 0). What can be known is
 * whether the data was written: the provider writes the end-of-data line right after the message, and before the
 * message is written in full the server cannot have taken it. So a send that fails before {@link #written()} may be
 * repeated on a new connection, and one that fails after it, without a reply from the server, may not.
 *
 * <p>Only what the provider reads of a message is passed on: its content (written unchanged), From, Sender and
 * Subject. The envelope sender is the session's {@code mail.smtp.from}.
 */
final class WatchedData extends MimeMessage {

    private final MimeMessage message;
    private volatile boolean written;

    WatchedData(Session session, MimeMessage message) {
        super(session);
        this.message = message;
    }

    /** Whether the provider has written the whole message, so that the end-of-data line came or was coming next. */
    boolean written() {
        return written;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException, MessagingException {
        writeTo(out, null);
    }

    @Override
    public void writeTo(OutputStream out, String[] ignoreList) throws IOException, MessagingException {
        message.writeTo(out, ignoreList);
        written = true;
    }

    @Override
    public Address[] getFrom() throws MessagingException {
        return message.getFrom();
    }

    @Override
    public Address getSender() throws MessagingException {
        return message.getSender();
    }

    @Override
    public String getSubject() throws MessagingException {
        return message.getSubject();
    }

    @Override
    public String getMessageID() throws MessagingException {
        return message.getMessageID();
    }

    @Override
    public int getSize() throws MessagingException {
        return message.getSize();
    }

    @Override
    public String[] getHeader(String name) throws MessagingException {
        return message.getHeader(name);
    }

    @Override
    public String getHeader(String name, String delimiter) throws MessagingException {
        return message.getHeader(name, delimiter);
    }

    @Override
    public void saveChanges() {
        // The application's message was prepared before it came here; the provider changes nothing of it.
    }
}
