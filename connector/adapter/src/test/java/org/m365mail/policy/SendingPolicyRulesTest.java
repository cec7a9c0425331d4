package org.m365mail.policy;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.config.LimitsScope;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TransportKind;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.testing.ManualClock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sending policy on plain messages and settings, without a transport: who a message is from and on whose behalf,
 * how many recipients and bytes it may have, and what an admission tells the transport.
 */
class SendingPolicyRulesTest {

    private static final Session SESSION = Session.getInstance(new Properties());
    private static final String MAILBOX = "orders@contoso.test";
    private static final String SHARED = "shared@contoso.test";
    private static final String NAME = "Contoso Orders";

    private final ConnectorRuntime runtime = new ConnectorRuntime("policy-rules");

    @org.junit.jupiter.api.AfterEach
    void closeRuntime() {
        runtime.close();
    }

    /** Settings with only what the policy reads: transport, mailbox, name, SMTP user name, limits, send timeout. */
    private static MailSettings settings(TransportKind transport, String username, int maxRecipients, long maxBytes)
            throws Exception {
        List<InternetAddress> allowed = List.of(new InternetAddress(MAILBOX), new InternetAddress(SHARED));
        MailSettings.SendingLimits sending = new MailSettings.SendingLimits(allowed, 0, maxRecipients, maxBytes,
                LimitsScope.INSTANCE);
        MailSettings.GraphOptions graph = new MailSettings.GraphOptions(false, 4, Duration.ofSeconds(60));
        return new MailSettings(transport, null, null, null, null, null, new InternetAddress(MAILBOX), NAME, null, 0,
                null, null, null, username, null, null, null, sending, null, graph, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    private SendingPolicy policy(TransportKind transport, String username) throws Exception {
        return new SendingPolicy(settings(transport, username, 3, 1_000_000), runtime, new ManualClock());
    }

    private SendingPolicy graph() throws Exception {
        return policy(TransportKind.GRAPH, null);
    }

    private static MimeMessage message() throws MessagingException {
        MimeMessage m = new MimeMessage(SESSION);
        m.setRecipients(Message.RecipientType.TO, "someone@example.com");
        m.setSubject("policy");
        m.setText("text");
        return m;
    }

    @Test
    void aMessageWithoutFromIsFromTheConfiguredMailboxWithItsName() throws Exception {
        MimeMessage m = message();
        try (Admission admission = graph().admit(m)) {
            assertEquals(MAILBOX, admission.from().getAddress());
            assertEquals(NAME, admission.from().getPersonal());
            InternetAddress written = (InternetAddress) m.getFrom()[0];
            assertEquals(MAILBOX, written.getAddress());
            assertEquals(NAME, written.getPersonal());
            assertNull(admission.sender(), "Graph's mailbox is the From: nothing on behalf");
            assertNull(m.getHeader("Sender"));
        }
    }

    @Test
    void theAdmissionNamesTheMessageIdAndEveryRecipient() throws Exception {
        MimeMessage m = message();
        m.setRecipients(Message.RecipientType.CC, "cc@example.com");
        m.setRecipients(Message.RecipientType.BCC, "bcc@example.com");
        try (Admission admission = graph().admit(m)) {
            assertEquals(m.getHeader("Message-ID")[0], admission.messageId());
            assertTrue(admission.messageId().matches("<[0-9a-f-]{36}@contoso\\.test>"), admission.messageId());
            List<String> to = Arrays.stream(admission.recipients()).map(a -> ((InternetAddress) a).getAddress())
                    .toList();
            assertEquals(List.of("someone@example.com", "cc@example.com", "bcc@example.com"), to);
            // The admission keeps its own copy: changing the array handed out changes nothing.
            Address[] handedOut = admission.recipients();
            handedOut[0] = new InternetAddress("other@example.com");
            assertEquals("someone@example.com", ((InternetAddress) admission.recipients()[0]).getAddress());
        }
    }

    @Test
    void checkFillsInTheSameAsAdmitAndReturnsTheMessageId() throws Exception {
        MimeMessage m = message();
        m.setHeader("Message-ID", "<own-id@app.example>");
        assertEquals("<own-id@app.example>", graph().check(m));
        assertEquals(MAILBOX, ((InternetAddress) m.getFrom()[0]).getAddress());
    }

    @Test
    void anAllowedSharedFromIsSentOnBehalfOfTheMailbox() throws Exception {
        MimeMessage m = message();
        m.setFrom("Shared@Contoso.TEST");
        try (Admission admission = graph().admit(m)) {
            assertEquals("Shared@Contoso.TEST", admission.from().getAddress(), "allowed whatever its case");
            assertNotNull(admission.sender());
            assertEquals(MAILBOX, admission.sender().getAddress());
            assertEquals(NAME, admission.sender().getPersonal());
            assertEquals(MAILBOX, ((InternetAddress) m.getSender()).getAddress(), "written to the message");
        }
    }

    @Test
    void theMailboxItselfAsFromInAnyCaseNeedsNoSender() throws Exception {
        MimeMessage m = message();
        m.setFrom("ORDERS@contoso.test");
        try (Admission admission = graph().admit(m)) {
            assertEquals("ORDERS@contoso.test", admission.from().getAddress());
            assertNull(admission.sender());
            assertNull(m.getHeader("Sender"));
        }
    }

    @Test
    void aFromOutsideTheAllowedListIsRefusedNamingWhatIsAllowed() throws Exception {
        MimeMessage m = message();
        m.setFrom("ceo@contoso.test");
        MailSendException e = assertThrows(MailSendException.class, () -> graph().check(m));
        assertEquals("FromNotAllowed", e.getErrorCode());
        assertTrue(e.getMessage().contains("ceo@contoso.test"), e.getMessage());
        assertTrue(e.getMessage().contains("[" + MAILBOX + ", " + SHARED + "]"), e.getMessage());
        assertTrue(e.getMessage().contains("the mailbox " + MAILBOX + " must have"), e.getMessage());
    }

    @Test
    void everyFromOfSeveralIsChecked() throws Exception {
        MimeMessage m = message();
        m.addFrom(new Address[]{new InternetAddress(SHARED), new InternetAddress("ceo@contoso.test")});
        assertEquals("FromNotAllowed", assertThrows(MailSendException.class, () -> graph().check(m)).getErrorCode());
        MimeMessage both = message();
        both.addFrom(new Address[]{new InternetAddress(SHARED), new InternetAddress(MAILBOX)});
        try (Admission admission = graph().admit(both)) {
            assertEquals(SHARED, admission.from().getAddress(), "the first From is the message's");
        }
    }

    @Test
    void aSenderTheApplicationSetMustBeAllowed() throws Exception {
        MimeMessage allowed = message();
        allowed.setFrom(SHARED);
        allowed.setSender(new InternetAddress(SHARED));
        try (Admission admission = graph().admit(allowed)) {
            assertEquals(SHARED, admission.sender().getAddress(), "Send As: the application's own Sender is kept");
        }
        MimeMessage stranger = message();
        stranger.setSender(new InternetAddress("ceo@contoso.test"));
        MailSendException e = assertThrows(MailSendException.class, () -> graph().check(stranger));
        assertEquals("SenderNotAllowed", e.getErrorCode());
        assertTrue(e.getMessage().contains("Sender ceo@contoso.test"), e.getMessage());
    }

    @Test
    void smtpSignedInAsAnotherMailboxSendsOnItsBehalf() throws Exception {
        SendingPolicy smtp = policy(TransportKind.SMTP, "relay@contoso.test");
        MimeMessage m = message();
        try (Admission admission = smtp.admit(m)) {
            assertEquals(MAILBOX, admission.from().getAddress());
            assertEquals("relay@contoso.test", admission.sender().getAddress());
            assertNull(admission.sender().getPersonal(), "fromName is the configured mailbox's, not the relay's");
        }
        MimeMessage relayAsSender = message();
        relayAsSender.setSender(new InternetAddress("Relay@Contoso.test"));
        try (Admission admission = smtp.admit(relayAsSender)) {
            assertEquals("Relay@Contoso.test", admission.sender().getAddress(),
                    "the signed-in mailbox may be the Sender without being listed");
        }
        MimeMessage fromRelay = message();
        fromRelay.setFrom("relay@contoso.test");
        assertEquals("FromNotAllowed", assertThrows(MailSendException.class, () -> smtp.check(fromRelay))
                .getErrorCode(), "but not the From");
    }

    @Test
    void smtpSignedInAsTheMailboxSendsASharedFromOnBehalfOfItWithItsName() throws Exception {
        SendingPolicy smtp = policy(TransportKind.SMTP, "Orders@Contoso.test");
        MimeMessage m = message();
        m.setFrom(SHARED);
        try (Admission admission = smtp.admit(m)) {
            assertEquals(MAILBOX, admission.sender().getAddress());
            assertEquals(NAME, admission.sender().getPersonal());
        }
        MimeMessage own = message();
        try (Admission admission = smtp.admit(own)) {
            assertNull(admission.sender(), "signed in as the From: nothing on behalf");
        }
    }

    @Test
    void smtpSignedInWithAPlainUserNameSendsOnNobodysBehalf() throws Exception {
        SendingPolicy smtp = policy(TransportKind.SMTP, "smtp-user");
        MimeMessage m = message();
        m.setFrom(SHARED);
        try (Admission admission = smtp.admit(m)) {
            assertNull(admission.sender());
            assertNull(m.getHeader("Sender"));
        }
        SendingPolicy unparsable = policy(TransportKind.SMTP, "smtp user (with comment");
        MimeMessage other = message();
        other.setFrom(SHARED);
        try (Admission admission = unparsable.admit(other)) {
            assertNull(admission.sender(), "a user name that is no address at all");
        }
    }

    @Test
    void theRecipientLimitIsInclusive() throws Exception {
        MimeMessage three = message();
        three.setRecipients(Message.RecipientType.TO, "a@example.com, b@example.com");
        three.setRecipients(Message.RecipientType.BCC, "c@example.com");
        assertNotNull(graph().check(three), "exactly maxRecipientsPerMessage");

        MimeMessage four = message();
        four.setRecipients(Message.RecipientType.TO, "a@example.com, b@example.com");
        four.setRecipients(Message.RecipientType.CC, "c@example.com, d@example.com");
        MailSendException e = assertThrows(MailSendException.class, () -> graph().check(four));
        assertEquals("TooManyRecipients", e.getErrorCode());
        assertTrue(e.getMessage().contains("has 4 recipients; at most 3 are allowed"), e.getMessage());
    }

    @Test
    void aMessageWithoutRecipientsIsRefused() throws Exception {
        MimeMessage none = new MimeMessage(SESSION);
        none.setText("nobody");
        MailSendException e = assertThrows(MailSendException.class, () -> graph().check(none));
        assertEquals("NoRecipients", e.getErrorCode());
        MimeMessage empty = message();
        empty.setRecipients(Message.RecipientType.TO, new Address[0]);
        assertEquals("NoRecipients", assertThrows(MailSendException.class, () -> graph().check(empty)).getErrorCode());
    }

    @Test
    void aMessageLargerThanTheLimitIsRefusedWithItsSize() throws Exception {
        SendingPolicy small = new SendingPolicy(settings(TransportKind.GRAPH, null, 3, 2048), runtime,
                new ManualClock());
        MimeMessage fits = message();
        fits.setText("x".repeat(100));
        assertNotNull(small.check(fits));

        MimeMessage large = message();
        large.setText("y".repeat(5000));
        MailSendException e = assertThrows(MailSendException.class, () -> small.check(large));
        assertEquals("MessageTooLarge", e.getErrorCode());
        String id = large.getHeader("Message-ID")[0];
        assertTrue(e.getMessage().startsWith("The message " + id + " is "), e.getMessage());
        assertTrue(e.getMessage().contains("the limit is 2048 bytes"), e.getMessage());
        long said = Long.parseLong(e.getMessage().replaceAll(".* is (\\d+) bytes once encoded.*", "$1"));
        assertTrue(said > 5000 && said < 8000, "the encoded size: " + said);
    }

    @Test
    void aMessageThatCannotBeReadIsRefusedSayingSo() throws Exception {
        MimeMessage broken = new MimeMessage(SESSION) {
            @Override
            public Address[] getAllRecipients() throws MessagingException {
                throw new MessagingException("the recipients are gone");
            }
        };
        broken.setText("x");
        MailSendException e = assertThrows(MailSendException.class, () -> graph().check(broken));
        assertTrue(e.getMessage().startsWith("Cannot read the message to send it: the recipients are gone"),
                e.getMessage());
        assertTrue(e.getCause() instanceof MessagingException);
    }

    @Test
    void closingTheAdmissionEndsTheTurnSoTheNextMessageGoes() throws Exception {
        List<String> closed = new ArrayList<>();
        Admission admission = new Admission("<id@contoso.test>", new InternetAddress(MAILBOX), null,
                new Address[]{new InternetAddress("a@example.com")}, () -> closed.add("closed"));
        assertEquals(List.of(), closed);
        admission.close();
        assertEquals(List.of("closed"), closed);
        assertArrayEquals(new Address[]{new InternetAddress("a@example.com")}, admission.recipients());
    }

    @Test
    void headerInjectionAndAnEmptyMultipartAreRefusedByThePolicy() throws Exception {
        MimeMessage injected = message();
        injected.setHeader("Subject", "Hello\r\nBcc: victim@example.com");
        assertEquals("HeaderInjection", assertThrows(MailSendException.class, () -> graph().check(injected))
                .getErrorCode());
        MimeMessage empty = message();
        empty.setContent(new jakarta.mail.internet.MimeMultipart());
        assertEquals("MalformedMessage", assertThrows(MailSendException.class, () -> graph().check(empty))
                .getErrorCode());
    }
}
