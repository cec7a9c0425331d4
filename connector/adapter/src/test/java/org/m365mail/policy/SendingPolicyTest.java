package org.m365mail.policy;

import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One sending policy for both transports: what Graph refuses, SMTP refuses, before any connection is opened; and the
 * mailbox's pace holds messages back on both.
 */
class SendingPolicyTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-policy");

    /** Stands where Entra, Graph and the SMTP server would be, and counts who connects. */
    private ServerSocket listener;
    private final AtomicInteger connections = new AtomicInteger();
    private Thread acceptor;

    @BeforeEach
    void listen() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    connections.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "policy-test-listener");
        acceptor.start();
    }

    @AfterEach
    void stopListening() throws Exception {
        listener.close();
        acceptor.join(5000);
    }

    /** A factory whose every network peer is the counting listener. */
    private MailManagedConnectionFactory unreachable(String transport) {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        String here = "https://127.0.0.1:" + listener.getLocalPort();
        mcf.setTransport(transport);
        mcf.setTenantId(SandboxDefaults.TENANT_ID);
        mcf.setClientId(SandboxDefaults.CLIENT_ID);
        mcf.setClientSecret(SandboxDefaults.CLIENT_SECRET);
        mcf.setAuthorityUrl(here);
        mcf.setGraphUrl(here);
        mcf.setSmtpHost("127.0.0.1");
        mcf.setSmtpPort(listener.getLocalPort());
        mcf.setFromAddress(SandboxDefaults.SENDER);
        mcf.setAllowedFromAddresses(SandboxDefaults.SHARED_MAILBOX);
        mcf.setMaxRecipientsPerMessage(3);
        mcf.setMaxMessageBytes(4096L);
        return mcf;
    }

    private MailSendException refused(String transport, MimeMessage message) throws Exception {
        MailConnectionFactory factory = (MailConnectionFactory) unreachable(transport).createConnectionFactory();
        try (MailConnection c = factory.getConnection()) {
            return assertThrows(MailSendException.class, () -> c.send(message));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void aFromOrSenderOutsideAllowedFromAddressesIsRefusedBeforeAnyConnection(String transport) throws Exception {
        MimeMessage spoofed = SandboxFactories.textMessage("spoofed " + transport, "x");
        spoofed.setFrom("ceo@contoso.test");
        MailSendException from = refused(transport, spoofed);
        assertEquals("FromNotAllowed", from.getErrorCode(), from.getMessage());
        assertTrue(from.getMessage().contains("allowedFromAddresses"), from.getMessage());
        assertTrue(from.getMessage().contains(SandboxDefaults.SHARED_MAILBOX), "names what is allowed");

        MimeMessage secondFrom = SandboxFactories.textMessage("two froms " + transport, "x");
        secondFrom.addFrom(new InternetAddress[]{new InternetAddress(SandboxDefaults.SHARED_MAILBOX),
                new InternetAddress("ceo@contoso.test")});
        assertEquals("FromNotAllowed", refused(transport, secondFrom).getErrorCode(), "every From is checked");

        MimeMessage sender = SandboxFactories.textMessage("sender " + transport, "x");
        sender.setSender(new InternetAddress("ceo@contoso.test"));
        assertEquals("SenderNotAllowed", refused(transport, sender).getErrorCode());

        assertEquals(0, connections.get(), "nothing was opened: no token request, no Graph request, no SMTP session");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void recipientAndSizeLimitsRefuseBeforeAnyConnection(String transport) throws Exception {
        MimeMessage many = SandboxFactories.textMessage("many " + transport, "x");
        many.setRecipients(Message.RecipientType.TO, "a@contoso.test, b@contoso.test");
        many.setRecipients(Message.RecipientType.BCC, "c@contoso.test, d@contoso.test");
        MailSendException tooMany = refused(transport, many);
        assertEquals("TooManyRecipients", tooMany.getErrorCode());
        assertTrue(tooMany.getMessage().contains("maxRecipientsPerMessage"), tooMany.getMessage());

        MimeMessage none = SandboxFactories.textMessage("none " + transport, "x");
        none.setRecipients(Message.RecipientType.TO, new InternetAddress[0]);
        assertEquals("NoRecipients", refused(transport, none).getErrorCode());

        MimeMessage large = SandboxFactories.textMessage("large " + transport, "y".repeat(20_000));
        MailSendException tooLarge = refused(transport, large);
        assertEquals("MessageTooLarge", tooLarge.getErrorCode());
        assertTrue(tooLarge.getMessage().contains("maxMessageBytes"), tooLarge.getMessage());

        assertEquals(0, connections.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void aMessageFromAnAllowedSharedMailboxGoesOut(String transport) throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        mcf.setAllowedFromAddresses(SandboxDefaults.SHARED_MAILBOX);
        MimeMessage shared = SandboxFactories.textMessage("shared " + transport, "x");
        shared.setFrom(SandboxDefaults.SHARED_MAILBOX);
        shared.setReplyTo(new InternetAddress[]{new InternetAddress("customer@example.com")});
        try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
            c.send(shared);
        }
        DeliveredMessage got = SANDBOX.get().outbox().withSubject("shared " + transport).get(0);
        assertEquals(SandboxDefaults.SHARED_MAILBOX, got.from());
    }

    /**
     * The pace is the mailbox's, so Graph keeps it as SMTP does: with two messages a minute, a third waits for its
     * turn (interrupted here rather than waited for) instead of going out.
     */
    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void theMailboxsPaceHoldsBackAThirdMessageOnBothTransports(String transport) throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        // A pace no other test uses, so no other test's messages count against it.
        mcf.setMessagesPerMinute(transport.equals("GRAPH") ? 2 : 3);
        int allowed = mcf.getMessagesPerMinute();
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        for (int i = 0; i < allowed; i++) {
            try (MailConnection c = factory.getConnection()) {
                c.send(SandboxFactories.textMessage("paced " + transport + " " + i, "x"));
            }
        }
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Future<?> third = sender.submit(() -> {
                try (MailConnection c = factory.getConnection()) {
                    c.send(SandboxFactories.textMessage("paced " + transport + " beyond", "x"));
                }
                return null;
            });
            assertThrows(TimeoutException.class, () -> third.get(2, TimeUnit.SECONDS), "the message waits its turn");
            third.cancel(true);
        } finally {
            sender.shutdownNow();
            assertTrue(sender.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(allowed, SANDBOX.get().outbox().messages().stream()
                .filter(m -> m.subject().startsWith("paced " + transport)).count());
        assertFalse(SANDBOX.get().outbox().messages().stream()
                .anyMatch(m -> m.subject().equals("paced " + transport + " beyond")));
    }
}
