package org.m365mail.outbox;

import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailOutbox;
import org.m365mail.api.MailSendException;
import org.m365mail.api.OutboxCounts;
import org.m365mail.api.OutboxEntry;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.SmtpFaults;
import org.m365mail.sandbox.GraphFaults;
import org.m365mail.testing.Await;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durable outbox on H2 and on a real PostgreSQL, against the stand-in: written in the caller's transaction and
 * delivered after its commit, permanent refusals kept, failures that pass retried, claims of a dead instance not sent
 * blindly. Two instances delivering a thousand messages are {@link OutboxConcurrencyTest}.
 */
class OutboxTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-outbox");
    private static final OutboxRig RIG = new OutboxRig(SANDBOX);

    @AfterEach
    void stopAdapters() {
        RIG.stopAdapters();
    }

    @AfterAll
    static void stopDatabases() throws Exception {
        RIG.close();
    }

    private static List<DeliveredMessage> delivered(String subject) {
        return SANDBOX.get().outbox().withSubject(subject);
    }

    private static long rows(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @EnumSource(OutboxDatabases.Kind.class)
    void aCommittedMessageIsDeliveredOnceAndARolledBackOneNever(OutboxDatabases.Kind kind) throws Exception {
        DataSource ds = RIG.fresh(kind);
        for (String transport : List.of("GRAPH", "SMTP")) {
            MailOutbox outbox = RIG.factory(ds, transport, mcf -> { }).outbox().orElseThrow();
            String prefix = kind + " " + transport;
            OutboxRig.commit(ds, outbox, true, SandboxFactories.textMessage(prefix + " committed 1", "a"),
                    SandboxFactories.textMessage(prefix + " committed 2", "b"));
            OutboxRig.commit(ds, outbox, false, SandboxFactories.textMessage(prefix + " rolled back", "c"));
            Await.until(() -> delivered(prefix + " committed 1").size() == 1
                    && delivered(prefix + " committed 2").size() == 1,
                    Duration.ofSeconds(20), "the committed messages");
            Await.until(() -> OutboxRig.counts(outbox).delivered() == 2, Duration.ofSeconds(10),
                    "both recorded as delivered");
            Thread.sleep(OutboxDelivery.POLL.toMillis() * 2);
            assertTrue(delivered(prefix + " rolled back").isEmpty(), "a rolled-back message is never sent");
            assertEquals(1, delivered(prefix + " committed 1").size(), "sent once");
            OutboxCounts counts = outbox.counts();
            assertEquals(0, counts.waiting() + counts.sending() + counts.failed() + counts.inDoubt(),
                    counts.toString());
        }
        assertEquals(0, rows(ds, "SELECT COUNT(*) FROM " + OutboxSchema.PARTS), "delivered messages' content removed");
    }

    @ParameterizedTest
    @EnumSource(OutboxDatabases.Kind.class)
    void aPermanentRefusalIsKeptWithItsErrorAndNotRetriedUntilAnOperatorSays(OutboxDatabases.Kind kind)
            throws Exception {
        DataSource ds = RIG.fresh(kind);
        // Graph refuses a recipient it cannot resolve: 400 ErrorInvalidRecipients.
        MailConnectionFactory graph = RIG.factory(ds, "GRAPH", mcf -> { });
        MailOutbox outbox = graph.outbox().orElseThrow();
        MimeMessage unresolvable = SandboxFactories.textMessage(kind + " unresolvable", "x");
        unresolvable.setRecipients(jakarta.mail.Message.RecipientType.TO, "nobody@localhost");
        try (CapturedLog log = new CapturedLog(OutboxDelivery.class)) {
            OutboxRig.commit(ds, outbox, true, unresolvable);
            Await.until(() -> OutboxRig.counts(outbox).failed() == 1, Duration.ofSeconds(20), "the refusal recorded");
            assertTrue(log.warnings().stream().anyMatch(r -> r.getMessage().startsWith("M365MAIL-7003")),
                    "reported in the log");
        }
        OutboxEntry failed = outbox.entries(OutboxEntry.State.FAILED, 10).get(0);
        assertEquals(1, failed.attempts());
        assertTrue(failed.lastError().contains("ErrorInvalidRecipients") || failed.lastError().contains("not valid"),
                failed.lastError());
        Thread.sleep(OutboxDelivery.POLL.toMillis() * 3);
        assertEquals(1, outbox.entries(OutboxEntry.State.FAILED, 10).get(0).attempts(), "not tried again");
        assertEquals(1, FactoryAdministration.of(graph).metrics().failedTotal(), "counted as a failure");

        assertTrue(outbox.discard(failed.messageId()));
        assertFalse(outbox.discard(failed.messageId()));
        assertEquals(0, outbox.counts().failed());

        // SMTP: 550 5.4.1 at RCPT TO, once; an operator's retry then delivers it.
        MailOutbox smtp = RIG.factory(ds, "SMTP", mcf -> { }).outbox().orElseThrow();
        SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.REJECT_RECIPIENT);
        OutboxRig.commit(ds, smtp, true, SandboxFactories.textMessage(kind + " rejected once", "y"));
        Await.until(() -> OutboxRig.counts(smtp).failed() == 1, Duration.ofSeconds(20), "the SMTP refusal recorded");
        OutboxEntry rejected = smtp.entries(OutboxEntry.State.FAILED, 10).get(0);
        assertTrue(rejected.lastError().contains("550 5.4.1"), rejected.lastError());
        assertTrue(delivered(kind + " rejected once").isEmpty());
        assertTrue(smtp.retry(rejected.messageId()));
        Await.until(() -> delivered(kind + " rejected once").size() == 1, Duration.ofSeconds(20),
                "the retried message");
    }

    @ParameterizedTest
    @EnumSource(OutboxDatabases.Kind.class)
    void aFailureThatPassesIsRetriedLater(OutboxDatabases.Kind kind) throws Exception {
        DataSource ds = RIG.fresh(kind);
        // Graph answers 503 for longer than the send may take: the attempt fails, the next one succeeds.
        MailOutbox outbox = RIG.factory(ds, "GRAPH", mcf -> mcf.setSendTimeoutSeconds(1)).outbox().orElseThrow();
        // Each 503 says Retry-After 0.2 s: more than the 1 s send takes; the next attempt, 5 s on, meets the rest.
        for (int i = 0; i < 7; i++) {
            SANDBOX.get().graphFaults().add(GraphFaults.Fault.UNAVAILABLE);
        }
        OutboxRig.commit(ds, outbox, true, SandboxFactories.textMessage(kind + " after an outage", "z"));
        Await.until(() -> delivered(kind + " after an outage").size() == 1, Duration.ofSeconds(40),
                "the retried message");
        Await.until(() -> OutboxRig.counts(outbox).delivered() == 1, Duration.ofSeconds(10), "recorded as delivered");
        OutboxEntry entry = outbox.entries(OutboxEntry.State.DELIVERED, 1).get(0);
        assertTrue(entry.attempts() >= 2, "delivered on a later attempt: " + entry);
    }

    @ParameterizedTest
    @EnumSource(OutboxDatabases.Kind.class)
    void aMessageIdIsWrittenOnce(OutboxDatabases.Kind kind) throws Exception {
        DataSource ds = RIG.fresh(kind);
        MailOutbox outbox = RIG.factory(ds, "GRAPH", mcf -> { }).outbox().orElseThrow();
        MimeMessage first = SandboxFactories.textMessage(kind + " keyed", "x");
        first.setHeader("Message-ID", "<order-4711-confirmation@contoso.test>");
        OutboxRig.commit(ds, outbox, true, first);
        MimeMessage again = SandboxFactories.textMessage(kind + " keyed", "x");
        again.setHeader("Message-ID", "<order-4711-confirmation@contoso.test>");
        MailSendException twice = assertThrows(MailSendException.class,
                () -> OutboxRig.commit(ds, outbox, true, again));
        assertEquals("AlreadyInOutbox", twice.getErrorCode());
        Await.until(() -> OutboxRig.counts(outbox).delivered() == 1, Duration.ofSeconds(20), "the first one delivered");
        assertEquals(1, delivered(kind + " keyed").size());
    }

    @ParameterizedTest
    @EnumSource(OutboxDatabases.Kind.class)
    void aMessageClaimedByAnInstanceThatDiedIsInDoubtNotSentAgainUnlessAskedTo(OutboxDatabases.Kind kind)
            throws Exception {
        DataSource ds = RIG.fresh(kind);
        // A "dead instance": claims two messages and never finishes them; its claims expire at once.
        MailManagedConnectionFactory dead = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        String key = "GRAPH:" + dead.settings().fromAddress().getAddress().toLowerCase(java.util.Locale.ROOT);
        ExecutorService own = Executors.newSingleThreadExecutor();
        try (ConnectorRuntime runtime = new ConnectorRuntime("dead")) {
            JdbcOutbox writer = new JdbcOutbox("test", () -> ds, key,
                    new org.m365mail.policy.SendingPolicy(dead.settings(), runtime, Clock.systemUTC()),
                    Clock.systemUTC(), own);
            try (Connection c = ds.getConnection()) {
                writer.enqueue(c, SandboxFactories.textMessage(kind + " in doubt", "x"));
                writer.enqueue(c, SandboxFactories.textMessage(kind + " resent", "y"));
                assertTrue(writer.claimNext(c, "dead-instance", Duration.ofMillis(1), 10).isPresent());
                assertTrue(writer.claimNext(c, "dead-instance", Duration.ofMillis(1), 10).isPresent());
            }
        } finally {
            own.shutdownNow();
        }
        Thread.sleep(5);
        MailOutbox outbox;
        try (CapturedLog log = new CapturedLog(OutboxDelivery.class)) {
            outbox = RIG.factory(ds, "GRAPH", mcf -> { }).outbox().orElseThrow();
            Await.until(() -> OutboxRig.counts(outbox).inDoubt() == 2, Duration.ofSeconds(20),
                    "the claims found expired");
            // Each is reported (logged right after the outbox records it).
            Await.until(() -> log.warnings().stream()
                            .filter(r -> r.getMessage().startsWith("M365MAIL-7011")).count() == 2,
                    Duration.ofSeconds(5), "both reported");
        }
        Thread.sleep(OutboxDelivery.POLL.toMillis() * 2);
        assertTrue(delivered(kind + " in doubt").isEmpty(), "not sent again on its own");
        OutboxEntry doubtful = outbox.entries(OutboxEntry.State.IN_DOUBT, 10).stream()
                .filter(e -> e.lastError().contains("dead-instance")).findFirst().orElseThrow();
        assertTrue(doubtful.lastError().contains("unknown"), doubtful.lastError());

        // An operator who checked the message trace sends one again; with RESEND the connector does it itself.
        String resent = outbox.entries(OutboxEntry.State.IN_DOUBT, 10).get(1).messageId();
        assertTrue(outbox.retry(resent));
        Await.until(() -> OutboxRig.counts(outbox).delivered() == 1, Duration.ofSeconds(20), "the retried one");
        assertEquals(1, OutboxRig.counts(outbox).inDoubt());
    }

    @Test
    void backoffGrowsToFifteenMinutesAndWaitsAtLeastAMinuteWhenThrottled() {
        Duration first = OutboxDelivery.backoff(1, org.m365mail.monitor.FailureReason.CONNECTIVITY);
        assertTrue(first.toMillis() >= 4000 && first.toMillis() <= 6000, first.toString());
        Duration third = OutboxDelivery.backoff(3, org.m365mail.monitor.FailureReason.CONNECTIVITY);
        assertTrue(third.toMillis() >= 16000 && third.toMillis() <= 24000, third.toString());
        Duration late = OutboxDelivery.backoff(40, org.m365mail.monitor.FailureReason.CONNECTIVITY);
        assertTrue(late.toMillis() >= 720_000 && late.toMillis() <= 1_080_000, late.toString());
        Duration throttled = OutboxDelivery.backoff(1, org.m365mail.monitor.FailureReason.THROTTLING);
        assertTrue(throttled.toMillis() >= 48_000, throttled.toString());
    }
}
