package org.m365mail.alert;

import jakarta.mail.Message;
import jakarta.resource.ResourceException;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;

import javax.naming.Reference;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A connection factory of "this connector" as the fallback finds it in the naming tree: records what it sends. */
final class FakeFactory implements MailConnectionFactory {

    final List<Message> sent = new CopyOnWriteArrayList<>();
    final AtomicInteger closed = new AtomicInteger();
    volatile MailSendException sendFails;
    volatile ResourceException connectionFails;

    @Override
    public MailConnection getConnection() throws ResourceException {
        if (connectionFails != null) {
            throw connectionFails;
        }
        return new MailConnection() {
            @Override
            public SentMessage send(Message message) throws MailSendException {
                if (sendFails != null) {
                    throw sendFails;
                }
                sent.add(message);
                return null;
            }

            @Override
            public CompletionStage<SentMessage> sendAsync(Message message) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
    }

    @Override
    public void setReference(Reference reference) {
    }

    @Override
    public Reference getReference() {
        return null;
    }
}
