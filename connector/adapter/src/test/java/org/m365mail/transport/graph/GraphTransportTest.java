package org.m365mail.transport.graph;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
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
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Graph transport against the stand-in, over real HTTPS, through the connector's own pool. */
class GraphTransportTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-graph");

    private static MailConnectionFactory factory() throws Exception {
        return (MailConnectionFactory) SandboxFactories.factory(SANDBOX.get(), "GRAPH").createConnectionFactory();
    }

    @Test
    void textMessageArrivesAsSentAndOneTokenServesSeveralSends() throws Exception {
        MailConnectionFactory factory = factory();
        for (int i = 0; i < 3; i++) {
            try (MailConnection connection = factory.getConnection()) {
                SentMessage sent = connection.send(SandboxFactories.textMessage("Graph text " + i, "Body " + i));
                assertEquals("GRAPH", sent.transport());
                assertNotNull(sent.serviceReference(), "Graph's request-id");
                assertTrue(sent.messageId().startsWith("<") && sent.messageId().endsWith("@contoso.test>"),
                        sent.messageId());
            }
        }
        List<DeliveredMessage> delivered = SANDBOX.get().outbox().messages();
        assertEquals(3, delivered.size());
        DeliveredMessage first = delivered.get(0);
        assertEquals("GRAPH", first.channel());
        assertEquals(SandboxDefaults.SENDER, first.mailbox());
        assertEquals("Graph text 0", first.subject());
        assertEquals("Body 0", first.textBody());
        assertEquals(List.of(SandboxDefaults.RECIPIENT), first.to());
        assertEquals("Contoso Notifications", first.fromName());
        assertEquals(1, SANDBOX.get().tokenRequests().total(), "one token for all sends of a factory");
        assertTrue(SANDBOX.get().tokenRequests().entries().get(0).scope().contains(SANDBOX.get().graphUrl() + "/.default"));
    }

    @Test
    void htmlRecipientsReplyToHeadersAndAttachmentsArriveUnchanged() throws Exception {
        byte[] pdf = new byte[200_000];
        new Random(7).nextBytes(pdf);
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setRecipients(Message.RecipientType.TO, "alex.wilber@contoso.test, Megan <megan@contoso.test>");
        message.setRecipients(Message.RecipientType.CC, "cc@contoso.test");
        message.setRecipients(Message.RecipientType.BCC, "audit@contoso.test");
        message.setReplyTo(new InternetAddress[]{new InternetAddress("replies@contoso.test")});
        message.setSubject("Rechnung März – ünïcödé", "UTF-8");
        message.setHeader("X-Order-Id", "A-42");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<p>Hello <b>Alex</b></p>", "text/html; charset=UTF-8");
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(pdf, "application/pdf")));
        attachment.setFileName("Rechnung-März.pdf");
        message.setContent(new MimeMultipart(html, attachment));

        try (MailConnection connection = factory().getConnection()) {
            connection.send(message);
        }
        DeliveredMessage got = SANDBOX.get().outbox().messages().get(0);
        assertEquals("Rechnung März – ünïcödé", got.subject());
        assertEquals("<p>Hello <b>Alex</b></p>", got.htmlBody());
        assertNull(got.textBody());
        assertEquals(List.of("alex.wilber@contoso.test", "megan@contoso.test"), got.to());
        assertEquals(List.of("cc@contoso.test"), got.cc());
        assertEquals(List.of("audit@contoso.test"), got.bcc());
        assertEquals(List.of("replies@contoso.test"), got.replyTo());
        assertEquals("A-42", got.headers().get("X-Order-Id"));
        assertEquals(1, got.attachments().size());
        DeliveredMessage.Attachment a = got.attachments().get(0);
        assertEquals("Rechnung-März.pdf", a.name());
        assertEquals("application/pdf", a.contentType());
        assertArrayEquals(pdf, a.content());
    }

    @Test
    void wrongSecretFailsWithEntrasCodeAndNothingIsSent() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setClientSecret("wrong-secret-value-123");
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        // The connection is checked as it is made (what the pool's Ping runs): the secret fails there.
        MailSendException e = assertThrows(MailSendException.class, factory::getConnection);
        assertEquals("AADSTS7000215", e.getErrorCode());
        assertTrue(e.getMessage().contains("Invalid client secret provided"), e.getMessage());
        assertTrue(e.getMessage().contains("Check clientSecret"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-secret-value-123"), e.getMessage());
        assertTrue(SANDBOX.get().outbox().messages().isEmpty());
    }

    @Test
    void missingMailSendPermissionSaysWhatToGrant() throws Exception {
        SandboxDirectory.App app = SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .app(SandboxDefaults.CLIENT_ID).orElseThrow();
        app.revoke(SandboxDirectory.Resource.GRAPH, "Mail.Send");
        try {
            // Entra still issues a token, without the role. An Exchange role assignment (RBAC for Applications) could
            // grant Mail.Send without it, so the connection is made; Graph refuses the send and the message names
            // both ways to grant it.
            MailSendException e = assertThrows(MailSendException.class, () -> {
                try (MailConnection c = factory().getConnection()) {
                    c.send(SandboxFactories.textMessage("no permission", "text"));
                }
            });
            assertEquals("ErrorAccessDenied", e.getErrorCode());
            assertTrue(e.getMessage().contains("Mail.Send application permission in Microsoft Graph"), e.getMessage());
            assertTrue(e.getMessage().contains("'Application Mail.Send'"), e.getMessage());
        } finally {
            app.grant(SandboxDirectory.Resource.GRAPH, "Mail.Send");
        }
        assertTrue(SANDBOX.get().outbox().messages().isEmpty());
        // And should Graph refuse all the same (a token from before the permission was removed):
        MailSendException graph = new GraphErrors().toException(403, "{\"error\":{\"code\":\"ErrorAccessDenied\","
                + "\"message\":\"Access is denied. Check credentials and try again.\"}}", SandboxDefaults.SENDER,
                "r", "<m@contoso.test>", "");
        assertEquals("ErrorAccessDenied", graph.getErrorCode());
        assertTrue(graph.getMessage().contains("Mail.Send application permission"), graph.getMessage());
    }

    @Test
    void unknownMailboxNamesFromAddress() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setFromAddress("nobody@contoso.test");
        try (MailConnection connection = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
            MailSendException e = assertThrows(MailSendException.class,
                    () -> connection.send(SandboxFactories.textMessage("x", "x")));
            assertEquals("ErrorInvalidUser", e.getErrorCode());
            assertTrue(e.getMessage().contains("Check fromAddress"), e.getMessage());
        }
    }
}
