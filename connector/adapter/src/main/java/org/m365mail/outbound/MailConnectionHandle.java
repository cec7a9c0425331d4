package org.m365mail.outbound;

import jakarta.mail.Message;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What an application holds: a handle on a pooled managed connection. Closing it returns the connection to the
 * pool; after that, or after the pool takes the connection back, it refuses to send.
 */
public final class MailConnectionHandle implements MailConnection {

    private volatile MailManagedConnection connection;

    MailConnectionHandle(MailManagedConnection connection) {
        this.connection = connection;
    }

    @Override
    public SentMessage send(Message message) throws MailSendException {
        Objects.requireNonNull(message, "message");
        MailManagedConnection c = connection;
        if (c == null) {
            throw new MailSendException("This mail connection is closed; get a new one from the MailConnectionFactory");
        }
        return c.send(message);
    }

    @Override
    public CompletionStage<SentMessage> sendAsync(Message message) throws MailSendException {
        Objects.requireNonNull(message, "message");
        MailManagedConnection c = connection;
        if (c == null) {
            throw new MailSendException("This mail connection is closed; get a new one from the MailConnectionFactory");
        }
        return c.sendAsync(message);
    }

    @Override
    public void close() {
        MailManagedConnection c = connection;
        connection = null;
        if (c != null) {
            c.handleClosed(this);
        }
    }

    /** The managed connection behind this handle, or {@code null} once closed. */
    MailManagedConnection managedConnection() {
        return connection;
    }

    void invalidate() {
        connection = null;
    }

    void reassociate(MailManagedConnection target) {
        MailManagedConnection previous = connection;
        if (previous != null && previous != target) {
            previous.detach(this);
        }
        connection = target;
    }

    @Override
    public String toString() {
        return "MailConnectionHandle[" + (connection == null ? "closed" : "open") + "]";
    }
}
