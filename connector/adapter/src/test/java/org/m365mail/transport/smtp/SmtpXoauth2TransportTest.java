package org.m365mail.transport.smtp;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SMTP XOAUTH2 transport against the stand-in's STARTTLS server, through the connector's own pool. */
class SmtpXoauth2TransportTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-smtp");

    @Test
    void onePooledConnectionAuthenticatesOnceForManySends() throws Exception {
        int loginsBefore = SANDBOX.get().smtpLogins();
        MailConnectionFactory factory = (MailConnectionFactory) SandboxFactories.factory(SANDBOX.get(), "SMTP")
                .createConnectionFactory();
        for (int i = 0; i < 5; i++) {
            try (MailConnection connection = factory.getConnection()) {
                SentMessage sent = connection.send(SandboxFactories.textMessage("SMTP " + i, "Body " + i));
                assertEquals("SMTP", sent.transport());
                assertTrue(sent.serviceReference().startsWith("250 2.0.0 OK"), sent.serviceReference());
                assertTrue(sent.serviceReference().contains(sent.messageId()), sent.serviceReference());
            }
        }
        assertEquals(5, SANDBOX.get().outbox().messages().size());
        assertEquals(1, SANDBOX.get().smtpLogins() - loginsBefore, "the pooled connection stays authenticated");
        assertEquals(1, SANDBOX.get().tokenRequests().total());
        assertTrue(SANDBOX.get().tokenRequests().entries().get(0).isFor("https://outlook.office365.com"));
        DeliveredMessage first = SANDBOX.get().outbox().messages().get(0);
        assertEquals("SMTP", first.channel());
        assertEquals(SandboxDefaults.SENDER, first.envelopeFrom());
        assertEquals(SandboxDefaults.SENDER, first.from());
        assertEquals("Contoso Notifications", first.fromName());
        assertEquals("SMTP 0", first.subject());
        assertEquals("Body 0", first.textBody().trim());
    }

    @Test
    void attachmentsCcAndBccArrive() throws Exception {
        byte[] data = new byte[50_000];
        new java.util.Random(3).nextBytes(data);
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setRecipients(Message.RecipientType.TO, SandboxDefaults.RECIPIENT);
        message.setRecipients(Message.RecipientType.CC, "cc@contoso.test");
        message.setRecipients(Message.RecipientType.BCC, "hidden@contoso.test");
        message.setSubject("Report");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("See attached.", "UTF-8");
        MimeBodyPart csv = new MimeBodyPart();
        csv.setDataHandler(new DataHandler(new ByteArrayDataSource(data, "application/zip")));
        csv.setFileName("report.zip");
        message.setContent(new MimeMultipart(text, csv));
        MailConnectionFactory factory = (MailConnectionFactory) SandboxFactories.factory(SANDBOX.get(), "SMTP")
                .createConnectionFactory();
        try (MailConnection connection = factory.getConnection()) {
            connection.send(message);
        }
        DeliveredMessage got = SANDBOX.get().outbox().messages().get(0);
        assertEquals(List.of("cc@contoso.test"), got.cc());
        assertEquals(List.of("hidden@contoso.test"), got.bcc());
        assertFalse(new String(got.raw(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("hidden@"),
                "Bcc must not appear in the transmitted headers");
        assertEquals("report.zip", got.attachments().get(0).name());
        assertArrayEquals(data, got.attachments().get(0).content());
    }

    @Test
    void missingMailboxPermissionIsExplainedAndNothingIsSent() throws Exception {
        SandboxDirectory.Tenant tenant = SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow();
        SandboxDirectory.App app = tenant.app(SandboxDefaults.CLIENT_ID).orElseThrow();
        SandboxDirectory.Mailbox mailbox = tenant.mailbox(SandboxDefaults.SENDER).orElseThrow();
        mailbox.revokeFullAccess(app);
        try {
            MailConnectionFactory factory = (MailConnectionFactory) SandboxFactories.factory(SANDBOX.get(), "SMTP")
                    .createConnectionFactory();
            // The connection signs in as it is made (what the pool's Ping runs): Exchange refuses it there.
            MailSendException e = assertThrows(MailSendException.class, factory::getConnection);
            assertEquals("535 5.7.3", e.getErrorCode());
            assertTrue(e.getMessage().contains("Add-MailboxPermission"), e.getMessage());
        } finally {
            mailbox.grantFullAccess(app);
        }
        assertTrue(SANDBOX.get().outbox().messages().isEmpty());
        assertEquals(2, SANDBOX.get().tokenRequests().total(), "a refused token is dropped and retried once");
    }

    @Test
    void aServerThatWillNotStartTlsIsNeverSentTheToken() throws Exception {
        try (java.net.ServerSocket plain = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (java.net.Socket s = plain.accept()) {
                    var out = s.getOutputStream();
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream()));
                    out.write("220 plain ESMTP\r\n".getBytes());
                    in.readLine();
                    out.write("250-plain\r\n250 AUTH XOAUTH2\r\n".getBytes());
                    String next = in.readLine();
                    out.write(("500 unexpected " + next + "\r\n").getBytes());
                    in.readLine();
                } catch (java.io.IOException ignored) {
                    // The client hangs up once it sees no STARTTLS.
                }
            });
            server.start();
            MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
            mcf.setSmtpPort(plain.getLocalPort());
            MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
            MailSendException e = assertThrows(MailSendException.class, factory::getConnection);
            assertTrue(e.getMessage().contains("STARTTLS"), e.getMessage());
            server.join(5000);
        }
    }
}
