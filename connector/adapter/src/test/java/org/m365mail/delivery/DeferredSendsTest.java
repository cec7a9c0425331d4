package org.m365mail.delivery;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.config.MailSettings;
import org.m365mail.monitor.PoolMonitor;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.policy.SendingPolicy;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.testing.FakeTransactions;
import org.m365mail.testing.ManualClock;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends that leave the caller: held until the caller's transaction commits (or written to the outbox in it), or run
 * on another thread for {@code sendAsync}; each counted against {@code pendingSendsLimit} until it ends, and each
 * failure told to the caller or counted. With a transport of the test's own, so that what is sent, and when, is seen.
 */
class DeferredSendsTest {

    private final ConnectorRuntime runtime = new ConnectorRuntime("deferred-test");
    private final FakeTransactions transactions = new FakeTransactions();
    private final ManualClock clock = new ManualClock();
    private final PoolMonitor monitor = new PoolMonitor("test pool", Duration.ofMinutes(5), clock);
    /** What the test's transport was given to send, by subject. */
    private final List<String> sent = new CopyOnWriteArrayList<>();
    /** Makes the transport's next sends fail with this, when set. */
    private volatile MailSendException refusal;
    private final ExecutorService threads = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        runtime.close();
    }

    private final MailTransport transport = new MailTransport() {
        @Override
        public MailChannel open() {
            return new MailChannel() {
                @Override
                public SentMessage send(Message message) throws MailSendException {
                    try {
                        if (refusal != null) {
                            throw refusal;
                        }
                        sent.add(message.getSubject());
                        return new SentMessage(message.getHeader("Message-ID")[0], "GRAPH", "ref", clock.instant());
                    } catch (MessagingException e) {
                        throw new MailSendException("unreadable", e);
                    }
                }

                @Override
                public boolean isBroken() {
                    return false;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    };

    private static MailSettings settings(String transactionalSend, int pendingLimit) throws Exception {
        MailManagedConnectionFactory p = new MailManagedConnectionFactory();
        p.setTenantId("contoso.onmicrosoft.com");
        p.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        p.setClientSecret("client-secret-value");
        p.setFromAddress("notifications@contoso.com");
        p.setTransactionalSend(transactionalSend);
        p.setPendingSendsLimit(pendingLimit);
        p.setPendingSendsWaitMillis(100);
        return MailSettings.validate(p);
    }

    private DeferredSends deferred(String transactionalSend, int pendingLimit, Executor work,
                                   DeferredSends.OutboxWriter outbox) throws Exception {
        MailSettings settings = settings(transactionalSend, pendingLimit);
        return new DeferredSends(settings, new SendingPolicy(settings, runtime, clock),
                new TransactionScope(() -> transactions), WorkRunner.own(work),
                new DeliveryChannels(() -> transport), monitor, clock, outbox);
    }

    private static MimeMessage message(String subject) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom("notifications@contoso.com");
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("someone@fabrikam.com"));
        m.setSubject(subject);
        m.setText("body");
        return m;
    }

    private static MailSendException failure(CompletableFuture<SentMessage> stage) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> stage.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(MailSendException.class, e.getCause());
    }

    @Test
    void onlyAnAfterCommitFactoryInsideATransactionFollowsIt() throws Exception {
        DeferredSends afterCommit = deferred("AFTER_COMMIT", 10, threads, null);
        DeferredSends immediate = deferred("IMMEDIATE", 10, threads, null);
        assertFalse(afterCommit.followsTransaction());
        transactions.begin();
        assertTrue(afterCommit.followsTransaction());
        assertFalse(immediate.followsTransaction());
        transactions.rollback();
    }

    @Test
    void aMessageHeldForTheCommitIsSentOnceItCommitsAndTheCopyIsWhatWasHandedOver() throws Exception {
        DeferredSends deferred = deferred("AFTER_COMMIT", 10, threads, null);
        transactions.begin();
        MimeMessage m = message("Invoice 42");
        SentMessage held = deferred.sendInTransaction(m);
        assertEquals(SentMessage.Status.AFTER_COMMIT, held.status());
        assertEquals(clock.instant(), held.acceptedAt());
        m.setSubject("changed after it was handed over");
        assertEquals(1, deferred.waiting());
        assertEquals(List.of(), sent);
        transactions.commit();
        assertEquals(List.of("Invoice 42"), sent);
        assertEquals(0, deferred.waiting());
        var metrics = monitor.metrics().snapshot();
        assertEquals(1, metrics.sent());
        assertTrue(metrics.longestSend().compareTo(Duration.ofMinutes(1)) < 0, metrics.longestSend().toString());
    }

    @Test
    void aRolledBackMessageIsNeverSentAndGivesItsRoomBack() throws Exception {
        DeferredSends deferred = deferred("AFTER_COMMIT", 1, threads, null);
        transactions.begin();
        deferred.sendInTransaction(message("Cancelled order"));
        MailSendException full = assertThrows(MailSendException.class,
                () -> deferred.sendInTransaction(message("one too many")));
        assertEquals("PendingSendsFull", full.getErrorCode());
        transactions.rollback();
        assertEquals(0, deferred.waiting());
        assertEquals(List.of(), sent);
    }

    @Test
    void aSendThatFailsAfterTheCommitIsCountedAndGivesItsRoomBack() throws Exception {
        DeferredSends deferred = deferred("AFTER_COMMIT", 10, threads, null);
        refusal = new MailSendException("mailbox full", "ErrorQuotaExceeded", null);
        transactions.begin();
        deferred.sendInTransaction(message("Receipt"));
        transactions.commit();
        assertEquals(0, deferred.waiting());
        assertEquals(1, monitor.metrics().snapshot().failedTotal());
    }

    @Test
    void withAnOutboxTheMessageIsWrittenInTheTransactionAndDeliveryToldOnlyOnCommit() throws Exception {
        List<String> outbox = new CopyOnWriteArrayList<>();
        DeferredSends deferred = deferred("AFTER_COMMIT", 10, threads, new DeferredSends.OutboxWriter() {
            @Override
            public String enqueueInTransaction(Message message) throws MailSendException {
                try {
                    outbox.add("written " + message.getSubject());
                } catch (MessagingException e) {
                    throw new MailSendException("unreadable", e);
                }
                return "<outbox-1@contoso.com>";
            }

            @Override
            public void committed() {
                outbox.add("committed");
            }
        });
        transactions.begin();
        SentMessage queued = deferred.sendInTransaction(message("Statement"));
        assertEquals(SentMessage.Status.IN_OUTBOX, queued.status());
        assertEquals("<outbox-1@contoso.com>", queued.messageId());
        transactions.rollback();
        assertEquals(List.of("written Statement"), outbox);
        transactions.begin();
        deferred.sendInTransaction(message("Statement 2"));
        transactions.commit();
        assertEquals(List.of("written Statement", "written Statement 2", "committed"), outbox);
        assertEquals(List.of(), sent, "the outbox delivers, not this");
    }

    @Test
    void sendAsyncOutsideATransactionSendsOnAnotherThreadAndFreesItsRoomFirst() throws Exception {
        DeferredSends deferred = deferred("AFTER_COMMIT", 1, threads, null);
        CompletableFuture<SentMessage> stage = deferred.sendAsync(message("Async 1")).toCompletableFuture();
        SentMessage result = stage.get(10, TimeUnit.SECONDS);
        assertEquals(SentMessage.Status.ACCEPTED, result.status());
        assertEquals(0, deferred.waiting());
        // The room was given back before the stage completed: the next send finds it at once.
        deferred.sendAsync(message("Async 2")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("Async 1", "Async 2"), sent);
    }

    @Test
    void sendAsyncInATransactionWaitsForTheCommitAndFailsOnRollback() throws Exception {
        DeferredSends deferred = deferred("AFTER_COMMIT", 10, Runnable::run, null);
        transactions.begin();
        CompletableFuture<SentMessage> committed = deferred.sendAsync(message("After commit")).toCompletableFuture();
        assertFalse(committed.isDone());
        transactions.commit();
        assertEquals(SentMessage.Status.ACCEPTED, committed.get(10, TimeUnit.SECONDS).status());

        transactions.begin();
        CompletableFuture<SentMessage> rolledBack = deferred.sendAsync(message("Rolled back")).toCompletableFuture();
        transactions.rollback();
        MailSendException e = failure(rolledBack);
        assertEquals("RolledBack", e.getErrorCode());
        assertTrue(e.getMessage().startsWith("The transaction rolled back: the message <"), e.getMessage());
        assertEquals(List.of("After commit"), sent);
        assertEquals(0, deferred.waiting());
    }

    @Test
    void aRefusedOrCrashedAsyncSendFailsItsStageWithTheReason() throws Exception {
        DeferredSends deferred = deferred("IMMEDIATE", 10, Runnable::run, null);
        refusal = new MailSendException("recipient unknown", "ErrorInvalidRecipients", null);
        assertEquals("ErrorInvalidRecipients",
                failure(deferred.sendAsync(message("Refused")).toCompletableFuture()).getErrorCode());

        refusal = null;
        MimeMessage crashing = message("Crashing");
        DeferredSends crashingChannels = new DeferredSends(settings("IMMEDIATE", 10),
                new SendingPolicy(settings("IMMEDIATE", 10), runtime, clock), TransactionScope.NONE,
                WorkRunner.own(Runnable::run), new DeliveryChannels(() -> {
                    throw new IllegalStateException("transport gone");
                }), monitor, clock, null);
        MailSendException e = failure(crashingChannels.sendAsync(crashing).toCompletableFuture());
        assertTrue(e.getMessage().startsWith("Sending <"), e.getMessage());
        assertTrue(e.getMessage().endsWith("failed: java.lang.IllegalStateException: transport gone"),
                e.getMessage());
        assertEquals(0, deferred.waiting());
        assertEquals(0, crashingChannels.waiting());
    }

    @Test
    void workTheThreadsRefuseFailsItsStageAndGivesItsRoomBack() throws Exception {
        DeferredSends deferred = deferred("IMMEDIATE", 10, task -> {
            throw new RejectedExecutionException("stopping");
        }, null);
        MailSendException e = failure(deferred.sendAsync(message("Refused work")).toCompletableFuture());
        assertEquals("WorkRejected", e.getErrorCode());
        assertEquals("The message could not be handed to the server's work manager: stopping. It was not sent., "
                + "error code: WorkRejected", e.getMessage());
        assertEquals(0, deferred.waiting());
    }

    @Test
    void closingFailsWhatStillWaitsAndRefusesNewSends() throws Exception {
        List<Runnable> parked = new CopyOnWriteArrayList<>();
        DeferredSends deferred = deferred("IMMEDIATE", 10, parked::add, null);
        CompletableFuture<SentMessage> waiting = deferred.sendAsync(message("Never sent")).toCompletableFuture();
        deferred.close();
        MailSendException e = failure(waiting);
        assertEquals("ConnectionClosedByPool", e.getErrorCode());
        assertEquals("The connector stopped before the message was sent, error code: ConnectionClosedByPool",
                e.getMessage());
        assertEquals("ConnectionClosedByPool", assertThrows(MailSendException.class,
                () -> deferred.sendAsync(message("late"))).getErrorCode());
        assertEquals("ConnectionClosedByPool", assertThrows(MailSendException.class,
                () -> deferred.sendInTransaction(message("late"))).getErrorCode());
    }
}
