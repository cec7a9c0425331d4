package org.m365mail.delivery;

import jakarta.mail.Message;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The channels a connection factory sends on when no application's connection is at hand: after a commit, for
 * {@code sendAsync}, from the outbox. The application's pooled connection may be back in the pool (or another
 * thread's) by then, so these are the factory's own, kept open between sends (an SMTP session stays signed in) and
 * closed with the factory. How many send at once is bounded by the callers (the delivery threads, the mailbox's
 * limits in the transport).
 */
public final class DeliveryChannels implements AutoCloseable {

    /** The factory's current transport (a new one after a consent reset). */
    public interface Transports {
        MailTransport transport() throws MailSendException;
    }

    private static final int MAX_IDLE = 8;

    private final Transports transports;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private boolean closed;

    private record Idle(MailChannel channel, MailTransport transport) {
    }

    public DeliveryChannels(Transports transports) {
        this.transports = transports;
    }

    /** Sends on an idle channel of the current transport, or a new one. */
    public SentMessage send(Message message) throws MailSendException {
        MailTransport transport = transports.transport();
        MailChannel channel = take(transport);
        boolean keep = false;
        try {
            SentMessage sent = channel.send(message);
            keep = !channel.isBroken();
            return sent;
        } catch (MailSendException e) {
            keep = !channel.isBroken();
            throw e;
        } finally {
            if (keep) {
                give(channel, transport);
            } else {
                channel.close();
            }
        }
    }

    private MailChannel take(MailTransport transport) {
        synchronized (idle) {
            while (!idle.isEmpty()) {
                Idle candidate = idle.pollFirst();
                if (candidate.transport() == transport && !candidate.channel().isBroken()) {
                    return candidate.channel();
                }
                candidate.channel().close();
            }
        }
        return transport.open();
    }

    private void give(MailChannel channel, MailTransport transport) {
        synchronized (idle) {
            if (!closed && idle.size() < MAX_IDLE) {
                idle.addFirst(new Idle(channel, transport));
                return;
            }
        }
        channel.close();
    }

    /** Closes every idle channel; a channel in use is closed when its send ends. */
    @Override
    public void close() {
        synchronized (idle) {
            closed = true;
            for (Idle i : idle) {
                i.channel().close();
            }
            idle.clear();
        }
    }
}
