package org.m365mail.outbound;

import org.m365mail.testing.Await;
import jakarta.mail.internet.MimeMessage;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.SentMessage;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.FakeTransactions;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.testing.TestNaming;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factory's outbox as it is wired, on H2 and the stand-in: given in code or named for the server's naming, a
 * message sent in a transaction goes into it under the factory's transport and mailbox, a server's connection factory
 * starts its delivery at once, and an asynchronous send completes with what was sent.
 */
class OutboxWiringTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-outbox-wiring");

    private final FakeTransactions transactions = new FakeTransactions();
    private MailResourceAdapter adapter;
    private JdbcDataSource database;

    @BeforeEach
    void start() throws Exception {
        adapter = MailResourceAdapter.standalone(transactions);
        database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:outbound-wiring;DB_CLOSE_DELAY=-1");
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS M365MAIL_OUTBOX_PARTS");
            s.execute("DROP TABLE IF EXISTS M365MAIL_OUTBOX");
        }
    }

    @AfterEach
    void stop() {
        adapter.stop();
    }

    private String outboxKeyOf(String messageId) throws Exception {
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT OUTBOX_KEY FROM M365MAIL_OUTBOX WHERE MESSAGE_ID = '"
                     + messageId.replace("'", "''") + "'")) {
            assertTrue(rs.next(), "a row for " + messageId);
            return rs.getString(1);
        }
    }

    @Test
    void aMessageSentInATransactionGoesIntoTheOutboxGivenInCodeAndOutAfterTheCommit() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.useOutbox(database);
        mcf.setResourceAdapter(adapter);
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        assertTrue(factory.outbox().isPresent(), "the application sees the outbox");

        transactions.begin();
        SentMessage sent;
        try (MailConnection c = factory.getConnection()) {
            sent = c.send(SandboxFactories.textMessage("through the wired outbox", "x"));
        }
        assertEquals(SentMessage.Status.IN_OUTBOX, sent.status());
        assertFalse(sent.messageId().isBlank());
        assertEquals("GRAPH:" + SandboxDefaults.SENDER, outboxKeyOf(sent.messageId()),
                "kept for this transport and mailbox");
        assertTrue(transactions.commit());

        assertTrue(SANDBOX.get().outbox().await(m -> "through the wired outbox".equals(m.subject()),
                Duration.ofSeconds(10)).isPresent(), "delivered after the commit");
    }

    @Test
    void aServersConnectionFactoryStartsTheNamedOutboxsDeliveryAtOnce() throws Exception {
        try (AutoCloseable naming = TestNaming.install(Map.of("jdbc/outboundOutbox", database))) {
            MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
            mcf.setOutboxDataSource("jdbc/outboundOutbox");
            mcf.setResourceAdapter(adapter);

            mcf.createConnectionFactory(new PoolNamesAndRotationTest.NamedManager("mail/WithOutbox"));

            Await.until(mcf::isWired, Duration.ofSeconds(10), "the outbox's delivery to start without a send");
            assertTrue(mcf.outbox().isPresent());
        }
    }

    @Test
    void anAsynchronousSendCompletesWithTheMessageSent() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setResourceAdapter(adapter);
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        MimeMessage message = SandboxFactories.textMessage("sent asynchronously", "x");

        SentMessage sent;
        try (MailConnection c = factory.getConnection()) {
            sent = c.sendAsync(message).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        assertEquals(SentMessage.Status.ACCEPTED, sent.status());
        assertEquals(1, SANDBOX.get().outbox().withSubject("sent asynchronously").size());
    }
}
