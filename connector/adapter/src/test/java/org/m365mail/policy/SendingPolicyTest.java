package org.m365mail.policy;

import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
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

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One sending policy for both transports: what Graph refuses, SMTP refuses, before the send makes any network call;
 * and the mailbox's pace holds messages back on both.
 */
class SendingPolicyTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-policy");

    /** A factory with a shared mailbox allowed and small limits, against the stand-in. */
    private static MailManagedConnectionFactory limited(String transport) {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        mcf.setAllowedFromAddresses(SandboxDefaults.SHARED_MAILBOX);
        mcf.setMaxRecipientsPerMessage(3);
        mcf.setMaxMessageBytes(4096L);
        return mcf;
    }

    /** Everything the stand-in counts that a send could cause: token requests, Graph requests, SMTP submissions. */
    private static List<Long> traffic() {
        return List.of((long) SANDBOX.get().tokenRequests().total(), SANDBOX.get().graphRequests(),
                (long) SANDBOX.get().smtpCommands("MAIL"), (long) SANDBOX.get().outbox().messages().size());
    }

    /**
     * Sends {@code message} on a connection that is already open (its token fetched, its SMTP session signed in, as
     * a pooled connection is), and expects a refusal that caused no network traffic at all.
     */
    private static MailSendException refused(String transport, MimeMessage message) throws Exception {
        MailConnectionFactory factory = (MailConnectionFactory) limited(transport).createConnectionFactory();
        try (MailConnection c = factory.getConnection()) {
            List<Long> before = traffic();
            MailSendException e = assertThrows(MailSendException.class, () -> c.send(message));
            assertEquals(before, traffic(), "refused before any network call: " + e.getMessage());
            return e;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void aFromOrSenderOutsideAllowedFromAddressesIsRefusedBeforeAnyNetworkCall(String transport) throws Exception {
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
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void recipientAndSizeLimitsRefuseBeforeAnyNetworkCall(String transport) throws Exception {
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
