package org.m365mail.delivery;

import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.FakeTransactions;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mail that follows the caller's transaction, and asynchronous sending, against the stand-in, with a transaction
 * registry of the test's own (no server): what the connector does with the registry is the same.
 */
class TransactionalSendTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-transactional");

    private final FakeTransactions transactions = new FakeTransactions();
    private MailResourceAdapter adapter;

    @BeforeEach
    void start() {
        adapter = MailResourceAdapter.standalone(transactions);
    }

    @AfterEach
    void stop() {
        adapter.stop();
    }

    private MailConnectionFactory factory(String transport) throws Exception {
        return factory(SandboxFactories.factory(SANDBOX.get(), transport));
    }

    private MailConnectionFactory factory(MailManagedConnectionFactory mcf) throws Exception {
        mcf.setResourceAdapter(adapter);
        return (MailConnectionFactory) mcf.createConnectionFactory();
    }

    private static List<DeliveredMessage> delivered(String subject) {
        return SANDBOX.get().outbox().withSubject(subject);
    }

    @Test
    void aMessageSentInATransactionGoesOutWhenItCommitsOverGraphAndSmtp() throws Exception {
        for (String transport : List.of("GRAPH", "SMTP")) {
            MailConnectionFactory factory = factory(transport);
            String subject = "commit " + transport;
            transactions.begin();
            SentMessage sent;
            try (MailConnection c = factory.getConnection()) {
                sent = c.send(SandboxFactories.textMessage(subject, "after commit"));
            }
            assertEquals(SentMessage.Status.AFTER_COMMIT, sent.status());
            assertNotNull(sent.messageId());
            assertTrue(delivered(subject).isEmpty(), "nothing goes out before the commit");
            assertTrue(transactions.commit());
            List<DeliveredMessage> out = delivered(subject);
            assertEquals(1, out.size(), "sent once, on the commit");
            assertEquals(sent.messageId(), out.get(0).messageId(), "with the Message-ID send returned");
        }
    }

    @Test
    void aRolledBackOrRollbackOnlyTransactionSendsNothing() throws Exception {
        MailConnectionFactory factory = factory("GRAPH");
        transactions.begin();
        try (MailConnection c = factory.getConnection()) {
            c.send(SandboxFactories.textMessage("rolled back", "never"));
        }
        transactions.rollback();

        transactions.begin();
        try (MailConnection c = factory.getConnection()) {
            c.send(SandboxFactories.textMessage("rollback only", "never"));
        }
        transactions.setRollbackOnly();
        assertEquals(false, transactions.commit());

        // A later send proves the connector works and that nothing was merely slow.
        try (MailConnection c = factory.getConnection()) {
            c.send(SandboxFactories.textMessage("afterwards", "now"));
        }
        assertEquals(1, delivered("afterwards").size());
        assertTrue(delivered("rolled back").isEmpty());
        assertTrue(delivered("rollback only").isEmpty());
    }

    @Test
    void outsideATransactionASendIsImmediate() throws Exception {
        try (MailConnection c = factory("SMTP").getConnection()) {
            SentMessage sent = c.send(SandboxFactories.textMessage("no transaction", "now"));
            assertEquals(SentMessage.Status.ACCEPTED, sent.status());
            assertNotNull(sent.serviceReference());
        }
        assertEquals(1, delivered("no transaction").size());
    }

    @Test
    void whatIsSentIsTheMessageAsItWasHandedOverEvenIfTheApplicationReusesIt() throws Exception {
        MailConnectionFactory factory = factory("GRAPH");
        MimeMessage message = SandboxFactories.textMessage("reused", "for the first");
        transactions.begin();
        try (MailConnection c = factory.getConnection()) {
            c.send(message);
            message.setRecipients(Message.RecipientType.TO, "second@fabrikam.test");
            message.setText("for the second", "UTF-8");
            message.removeHeader("Message-ID");
            c.send(message);
        }
        transactions.commit();
        List<DeliveredMessage> out = delivered("reused");
        assertEquals(2, out.size());
        assertTrue(out.stream().anyMatch(m -> m.to().contains(SandboxDefaults.RECIPIENT)
                && m.textBody().contains("for the first")), out.toString());
        assertTrue(out.stream().anyMatch(m -> m.to().contains("second@fabrikam.test")
                && m.textBody().contains("for the second")), out.toString());
        assertNotEquals(out.get(0).messageId(), out.get(1).messageId());
    }

    @Test
    void aMessageThePolicyRefusesIsRefusedToTheCallerInsideTheTransaction() throws Exception {
        MailConnectionFactory factory = factory("SMTP");
        transactions.begin();
        try (MailConnection c = factory.getConnection()) {
            MimeMessage message = SandboxFactories.textMessage("refused in tx", "x");
            message.setFrom("ceo@contoso.test");
            MailSendException refused = assertThrows(MailSendException.class, () -> c.send(message));
            assertEquals("FromNotAllowed", refused.getErrorCode());
        } finally {
            transactions.rollback();
        }
    }

    @Test
    void immediateModeSendsAtOnceEvenInATransaction() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setTransactionalSend("IMMEDIATE");
        MailConnectionFactory factory = factory(mcf);
        transactions.begin();
        try (MailConnection c = factory.getConnection()) {
            assertEquals(SentMessage.Status.ACCEPTED, c.send(SandboxFactories.textMessage("immediate", "x")).status());
        }
        assertEquals(1, delivered("immediate").size(), "sent before the transaction ended");
        transactions.rollback();
        assertEquals(1, delivered("immediate").size());
    }

    @Test
    void sendAsyncCompletesWithTheMessageIdOnTheConnectorsThreadNotTheCallers() throws Exception {
        MailConnectionFactory factory = factory("GRAPH");
        // A slow answer, so the stage is still open when the callback is attached and runs where the send ran.
        SANDBOX.get().graphFaults().add(org.m365mail.sandbox.GraphFaults.Fault.SLOW);
        AtomicReference<String> ranOn = new AtomicReference<>();
        CompletableFuture<SentMessage> sent;
        try (MailConnection c = factory.getConnection()) {
            sent = c.sendAsync(SandboxFactories.textMessage("async", "x")).toCompletableFuture()
                    .whenComplete((s, e) -> ranOn.set(Thread.currentThread().getName()));
        }
        SentMessage result = sent.get(30, TimeUnit.SECONDS);
        SANDBOX.get().graphFaults().clear();
        assertEquals(SentMessage.Status.ACCEPTED, result.status());
        assertEquals(result.messageId(), delivered("async").get(0).messageId());
        assertTrue(ranOn.get().startsWith(org.m365mail.runtime.ConnectorRuntime.THREAD_PREFIX), ranOn.get());
    }

    @Test
    void sendAsyncInATransactionWaitsForTheCommitAndARollbackFailsItsStage() throws Exception {
        MailConnectionFactory factory = factory("GRAPH");
        transactions.begin();
        CompletableFuture<SentMessage> rolledBack;
        try (MailConnection c = factory.getConnection()) {
            rolledBack = c.sendAsync(SandboxFactories.textMessage("async rolled back", "x")).toCompletableFuture();
        }
        transactions.rollback();
        ExecutionException e = assertThrows(ExecutionException.class, () -> rolledBack.get(10, TimeUnit.SECONDS));
        assertInstanceOf(MailSendException.class, e.getCause());
        assertEquals("RolledBack", ((MailSendException) e.getCause()).getErrorCode());

        transactions.begin();
        CompletableFuture<SentMessage> committed;
        try (MailConnection c = factory.getConnection()) {
            committed = c.sendAsync(SandboxFactories.textMessage("async committed", "x")).toCompletableFuture();
        }
        Thread.sleep(200);
        assertTrue(delivered("async committed").isEmpty(), "not before the commit");
        transactions.commit();
        assertEquals(committed.get(30, TimeUnit.SECONDS).messageId(),
                SANDBOX.get().outbox().await(m -> m.subject().equals("async committed"), Duration.ofSeconds(10))
                        .orElseThrow().messageId());
        assertTrue(delivered("async rolled back").isEmpty());
    }

    @Test
    void beyondPendingSendsLimitACallerIsRefusedClearly() throws Exception {
        // A burst against a stand-in that answers slowly: one may wait, the next is refused at once.
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setPendingSendsLimit(1);
        mcf.setPendingSendsWaitMillis(0);
        MailConnectionFactory factory = factory(mcf);
        SANDBOX.get().graphFaults().add(org.m365mail.sandbox.GraphFaults.Fault.SLOW);
        try (MailConnection c = factory.getConnection()) {
            CompletableFuture<SentMessage> first = c.sendAsync(SandboxFactories.textMessage("burst 1", "x"))
                    .toCompletableFuture();
            MailSendException full = assertThrows(MailSendException.class,
                    () -> c.sendAsync(SandboxFactories.textMessage("burst 2", "x")));
            assertEquals("PendingSendsFull", full.getErrorCode());
            assertTrue(full.getMessage().contains("pendingSendsLimit"), full.getMessage());
            first.get(60, TimeUnit.SECONDS);
            // Room again once the first is done.
            c.sendAsync(SandboxFactories.textMessage("burst 3", "x")).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            SANDBOX.get().graphFaults().clear();
        }
        assertTrue(delivered("burst 2").isEmpty());
        assertEquals(1, delivered("burst 3").size());
    }
}
