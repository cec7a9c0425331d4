package org.m365mail.delivery;

import jakarta.mail.Message;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TransactionalSend;
import org.m365mail.logging.LogText;
import org.m365mail.monitor.PoolMonitor;
import org.m365mail.policy.SendingPolicy;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The sends of a connection factory that do not happen on the caller's thread, now: a message sent inside a JTA
 * transaction (after the commit, or through the outbox), and {@code sendAsync}.
 *
 * <ul>
 *   <li><b>In a transaction, no outbox:</b> the message is checked, given its Message-ID and copied at once; when the
 *       transaction commits it is sent on the committing thread, right after the commit (the caller has its outcome
 *       before its business method returns to its own caller); when it rolls back, it is dropped. A failure then can
 *       no longer reach the caller: it is logged ({@code M365MAIL-7002}), counted and alerted as any failure.</li>
 *   <li><b>In a transaction, with an outbox:</b> the message is written to the outbox on a connection the server
 *       enlists in the same transaction; the commit wakes the outbox's delivering threads.</li>
 *   <li><b>sendAsync:</b> checked and copied at once, sent on the server's work manager (after the commit when in a
 *       transaction), at most {@code pendingSendsLimit} waiting.</li>
 * </ul>
 */
public final class DeferredSends implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeferredSends.class.getName());

    private final MailSettings settings;
    private final SendingPolicy policy;
    private final TransactionScope transactions;
    private final WorkRunner runner;
    private final DeliveryChannels channels;
    private final PoolMonitor monitor;
    private final Clock clock;
    private final PendingSends pending;
    private final OutboxWriter outbox;
    private final Set<CompletableFuture<SentMessage>> outstanding = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Where messages sent in a transaction go when the factory has an outbox. */
    public interface OutboxWriter {
        /** Writes the message in the caller's transaction; returns its Message-ID. */
        String enqueueInTransaction(Message message) throws MailSendException;

        /** The caller's transaction committed a message: deliver soon. */
        void committed();
    }

    /**
     * @param outbox the factory's outbox, or {@code null}
     */
    public DeferredSends(MailSettings settings, SendingPolicy policy, TransactionScope transactions, WorkRunner runner,
                         DeliveryChannels channels, PoolMonitor monitor, Clock clock, OutboxWriter outbox) {
        this.settings = settings;
        this.policy = policy;
        this.transactions = transactions;
        this.runner = runner;
        this.channels = channels;
        this.monitor = monitor;
        this.clock = clock;
        this.pending = new PendingSends(settings.delivery().pendingSendsLimit(),
                settings.delivery().pendingSendsWait().toMillis());
        this.outbox = outbox;
    }

    /** Whether a {@code send} on this thread now follows the caller's transaction rather than sending at once. */
    public boolean followsTransaction() {
        return settings.delivery().transactionalSend() == TransactionalSend.AFTER_COMMIT && transactions.active();
    }

    /**
     * Takes a message sent inside the caller's transaction: into the outbox, or held until the commit.
     *
     * @return the message's id and how far it went ({@code IN_OUTBOX} or {@code AFTER_COMMIT})
     * @throws MailSendException if the policy refuses it, or the outbox cannot take it (the caller's transaction
     *                           should then roll back)
     */
    public SentMessage sendInTransaction(Message message) throws MailSendException {
        checkOpen();
        if (outbox != null) {
            String messageId = outbox.enqueueInTransaction(message);
            transactions.afterCompletion(committed -> {
                if (committed) {
                    outbox.committed();
                }
            });
            return new SentMessage(messageId, settings.transport().name(), null, clock.instant(),
                    SentMessage.Status.IN_OUTBOX);
        }
        String messageId = policy.check(message);
        // Held until the commit: counted against pendingSendsLimit, as sendAsync's are.
        pending.acquire();
        MessageSnapshot copy = null;
        try {
            copy = MessageSnapshot.of(message);
            MessageSnapshot held = copy;
            transactions.afterCompletion(committed -> {
                try (held) {
                    sendCommitted(committed, messageId, held);
                } finally {
                    pending.release();
                }
            });
        } catch (MailSendException | RuntimeException e) {
            if (copy != null) {
                copy.close();
            }
            pending.release();
            throw e;
        }
        return new SentMessage(messageId, settings.transport().name(), null, clock.instant(),
                SentMessage.Status.AFTER_COMMIT);
    }

    /** After the transaction: sends the copy if it committed; a failure can only be logged and counted now. */
    private void sendCommitted(boolean committed, String messageId, MessageSnapshot copy) {
        if (!committed) {
            LOG.fine(() -> "M365MAIL-7007 The transaction of message " + LogText.of(messageId)
                    + " rolled back: the message was not sent");
            return;
        }
        try {
            deliver(copy);
        } catch (MailSendException e) {
            LOG.warning("M365MAIL-7002 The message " + LogText.of(messageId) + " was not sent after its transaction "
                    + "committed: " + LogText.of(e.getMessage()) + " (give the connection factory an "
                    + "outboxDataSource to have such messages kept and retried)");
        }
    }

    /**
     * Sends on the work manager, after the commit when in a transaction.
     *
     * @throws MailSendException if the policy refuses the message, or no room frees up in time
     */
    public CompletionStage<SentMessage> sendAsync(Message message) throws MailSendException {
        checkOpen();
        String messageId = policy.check(message);
        pending.acquire();
        MessageSnapshot copy;
        try {
            copy = MessageSnapshot.of(message);
        } catch (MailSendException | RuntimeException e) {
            pending.release();
            throw e;
        }
        CompletableFuture<SentMessage> result = new CompletableFuture<>();
        outstanding.add(result);
        Runnable finish = () -> {
            copy.close();
            pending.release();
            outstanding.remove(result);
        };
        // The room is given back before the stage completes: a caller that waits for one send and then starts the
        // next must find room for it.
        Runnable job = () -> {
            SentMessage sent = null;
            MailSendException failure = null;
            try {
                sent = deliver(copy);
            } catch (MailSendException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new MailSendException("Sending " + LogText.of(messageId) + " failed: " + e, e);
            } finally {
                finish.run();
            }
            if (failure == null) {
                result.complete(sent);
            } else {
                result.completeExceptionally(failure);
            }
        };
        if (followsTransaction()) {
            try {
                transactions.afterCompletion(committed -> {
                    if (committed) {
                        submit(job, result, finish);
                    } else {
                        finish.run();
                        result.completeExceptionally(new MailSendException("The transaction rolled back: the "
                                + "message " + LogText.of(messageId) + " was not sent.", "RolledBack", null));
                    }
                });
            } catch (RuntimeException e) {
                finish.run();
                throw e;
            }
        } else {
            submit(job, result, finish);
        }
        return result.minimalCompletionStage();
    }

    private void submit(Runnable job, CompletableFuture<SentMessage> result, Runnable finish) {
        runner.run(job, rejected -> {
            finish.run();
            result.completeExceptionally(new MailSendException("The message could not be handed to the server's "
                    + "work manager: " + rejected.getMessage() + ". It was not sent.", "WorkRejected", rejected));
        });
    }

    private SentMessage deliver(MessageSnapshot copy) throws MailSendException {
        long start = System.nanoTime();
        try {
            SentMessage sent = channels.send(copy.message());
            monitor.sent(Duration.ofNanos(System.nanoTime() - start));
            return sent;
        } catch (MailSendException e) {
            monitor.failed(e);
            throw e;
        }
    }

    /** How many messages wait in memory for their send now. */
    public int waiting() {
        return pending.waiting();
    }

    private void checkOpen() throws MailSendException {
        if (closed) {
            throw new MailSendException("The connection factory was closed (the connector stopped, or its pool was "
                    + "re-created); get a new connection", "ConnectionClosedByPool", null);
        }
    }

    /** Fails the sends still waiting (the connector stops); the outbox's messages wait in the database. */
    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<SentMessage> f : outstanding) {
            f.completeExceptionally(new MailSendException("The connector stopped before the message was sent",
                    "ConnectionClosedByPool", null));
        }
        outstanding.clear();
    }
}
