package org.m365mail.reliability;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.StandaloneAdapter;
import org.m365mail.testing.SandboxFactories;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bad-input matrix, on both transports: each bad message is refused before anything goes over the network, with
 * a message that names the problem, and the same connection sends the next good message. Non-ASCII text, where it
 * is legal, arrives intact.
 */
class BadInputTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-bad-input");

    @RegisterExtension
    final StandaloneAdapter adapter = new StandaloneAdapter();

    private MailConnectionFactory factory(String transport) throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        mcf.setMaxRecipientsPerMessage(3);
        mcf.setMaxMessageBytes(200_000L);
        adapter.attach(mcf);
        return (MailConnectionFactory) mcf.createConnectionFactory();
    }

    private interface Bad {
        MimeMessage make() throws Exception;
    }

    /** A case: the message, the error code expected, and a word the error must contain to say what to fix. */
    private record Case(Bad message, String code, String names) {
    }

    private static MimeMessage good(String subject) throws MessagingException {
        return SandboxFactories.textMessage(subject, "body");
    }

    private static Map<String, Case> cases() {
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("CR/LF in a raw subject header", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("Subject", "Order 42\r\nBcc: victim@fabrikam.test");
            return m;
        }, "HeaderInjection", "Subject"));
        cases.put("LF alone in a raw subject header", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("Subject", "Order 42\nBcc: victim@fabrikam.test");
            return m;
        }, "HeaderInjection", "Subject"));
        cases.put("NUL in the subject", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("Subject", "Order\u0000 42");
            return m;
        }, "InvalidHeader", "U+0000"));
        cases.put("CR/LF in an address", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("To", SandboxDefaults.RECIPIENT + "\r\nBcc: victim@fabrikam.test");
            return m;
        }, "HeaderInjection", "To"));
        cases.put("an encoded name that decodes to a line break", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("To", "=?UTF-8?Q?Ann=0D=0ABcc=3A_victim=40fabrikam.test?= <" + SandboxDefaults.RECIPIENT + ">");
            return m;
        }, "HeaderInjection", "To"));
        cases.put("a header name with a space", new Case(() -> {
            MimeMessage m = good("x");
            m.addHeader("X Order", "42");
            return m;
        }, "InvalidHeader", "header name"));
        cases.put("an address without a domain", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("To", "not-an-address");
            return m;
        }, "InvalidAddress", "To"));
        cases.put("an address with an empty domain", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("Cc", "ann@");
            m.setHeader("To", SandboxDefaults.RECIPIENT);
            return m;
        }, "InvalidAddress", "Cc"));
        cases.put("an address that is no address list", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("To", "ann@contoso.test, <<bob@");
            return m;
        }, "InvalidAddress", "To"));
        cases.put("an invalid Reply-To", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("Reply-To", "@contoso.test");
            return m;
        }, "InvalidAddress", "Reply-To"));
        cases.put("an empty To", new Case(() -> {
            MimeMessage m = good("x");
            m.setHeader("To", "");
            return m;
        }, "NoRecipients", "recipients"));
        cases.put("no recipients", new Case(() -> {
            MimeMessage m = good("x");
            m.removeHeader("To");
            return m;
        }, "NoRecipients", "To, Cc or Bcc"));
        cases.put("more recipients than allowed", new Case(() -> {
            MimeMessage m = good("x");
            m.setRecipients(Message.RecipientType.TO, "a@contoso.test, b@contoso.test");
            m.setRecipients(Message.RecipientType.BCC, "c@contoso.test, d@contoso.test");
            return m;
        }, "TooManyRecipients", "maxRecipientsPerMessage"));
        cases.put("an oversize message", new Case(() -> {
            MimeMessage m = good("x");
            m.setText("x".repeat(300_000));
            return m;
        }, "MessageTooLarge", "maxMessageBytes"));
        cases.put("a From outside allowedFromAddresses", new Case(() -> {
            MimeMessage m = good("x");
            m.setFrom(new InternetAddress("ceo@contoso.test"));
            return m;
        }, "FromNotAllowed", "allowedFromAddresses"));
        cases.put("a Sender outside allowedFromAddresses", new Case(() -> {
            MimeMessage m = good("x");
            m.setSender(new InternetAddress("ceo@contoso.test"));
            return m;
        }, "SenderNotAllowed", "allowedFromAddresses"));
        cases.put("a multipart without parts", new Case(() -> {
            MimeMessage m = good("x");
            m.setContent(new MimeMultipart());
            return m;
        }, "MalformedMessage", "no parts"));
        cases.put("an attachment that cannot be read", new Case(() -> {
            MimeMessage m = good("x");
            MimeBodyPart text = new MimeBodyPart();
            text.setText("see attachment");
            MimeBodyPart broken = new MimeBodyPart();
            broken.setDataHandler(new DataHandler(new Unreadable()));
            broken.setFileName("report.pdf");
            m.setContent(new MimeMultipart(text, broken));
            return m;
        }, "MalformedMessage", "disk gone"));
        return cases;
    }

    /** An attachment whose content cannot be read: a file deleted under the application, a broken stream. */
    private static final class Unreadable implements jakarta.activation.DataSource {
        @Override
        public InputStream getInputStream() throws IOException {
            throw new IOException("disk gone");
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            throw new IOException("read only");
        }

        @Override
        public String getContentType() {
            return "application/pdf";
        }

        @Override
        public String getName() {
            return "report.pdf";
        }
    }

    private static long networkCalls(String transport) {
        return "GRAPH".equals(transport) ? SANDBOX.get().graphRequests() : SANDBOX.get().smtpCommands("MAIL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void eachBadMessageIsRefusedBeforeTheNetworkWithItsReasonAndTheConnectionSendsOn(String transport)
            throws Exception {
        MailConnectionFactory factory = factory(transport);
        List<String> problems = new ArrayList<>();
        try (MailConnection c = factory.getConnection()) {
            c.send(good("warm-up " + transport));
            for (Map.Entry<String, Case> entry : cases().entrySet()) {
                Case bad = entry.getValue();
                MimeMessage message = bad.message().make();
                long before = networkCalls(transport);
                try {
                    c.send(message);
                    problems.add(entry.getKey() + ": sent");
                    continue;
                } catch (MailSendException e) {
                    if (bad.code() != null && !bad.code().equals(e.getErrorCode())) {
                        problems.add(entry.getKey() + ": code " + e.getErrorCode() + ", not " + bad.code() + " ("
                                + e.getMessage() + ")");
                    }
                    if (!e.getMessage().contains(bad.names())) {
                        problems.add(entry.getKey() + ": the error does not say '" + bad.names() + "': "
                                + e.getMessage());
                    }
                    if (!e.getMessage().contains("not sent") && !e.getMessage().startsWith("Cannot read")) {
                        problems.add(entry.getKey() + ": the error does not say the message was not sent: "
                                + e.getMessage());
                    }
                    if (e.getMessage().contains("\r") || e.getMessage().contains("\n")) {
                        problems.add(entry.getKey() + ": a line break reached the error text");
                    }
                }
                if (networkCalls(transport) != before) {
                    problems.add(entry.getKey() + ": went over the network before it was refused");
                }
                String after = "after " + entry.getKey() + " " + transport;
                try {
                    c.send(good(after));
                } catch (MailSendException e) {
                    problems.add(entry.getKey() + ": the connection did not send the next message: " + e.getMessage());
                    try (MailConnection fresh = factory.getConnection()) {
                        fresh.send(good(after));
                    }
                }
                if (SANDBOX.get().outbox().withSubject(after).size() != 1) {
                    problems.add(entry.getKey() + ": the next good message was not delivered once");
                }
            }
        }
        for (DeliveredMessage m : SANDBOX.get().outbox().messages()) {
            if (m.allRecipients().stream().anyMatch(r -> r.contains("victim"))) {
                problems.add("a header injection reached a recipient: " + m.subject());
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * Line breaks given to Jakarta Mail's own setters ({@code setSubject}, an address's name) cannot inject a header:
     * Jakarta Mail folds them (a line break followed by a space continues the same header), which cannot be told
     * from ordinary folding once it is done. What arrives is one subject line and the one intended recipient.
     */
    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void lineBreaksGivenToJakartaMailsSettersAddNoHeaderAndNoRecipient(String transport) throws Exception {
        MimeMessage m = good("x");
        String subject = "Order 42 " + transport;
        m.setSubject(subject + "\r\nBcc: victim@fabrikam.test", "UTF-8");
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(SandboxDefaults.RECIPIENT,
                "Ann\r\nBcc: victim@fabrikam.test", "UTF-8"));
        m.setFrom(new InternetAddress(SandboxDefaults.SENDER, "Shop\nCc: victim@fabrikam.test", "UTF-8"));
        try (MailConnection c = factory(transport).getConnection()) {
            c.send(m);
        }
        List<DeliveredMessage> got = SANDBOX.get().outbox().messages().stream()
                .filter(d -> d.subject() != null && d.subject().startsWith(subject)).toList();
        assertEquals(1, got.size());
        assertEquals(List.of(SandboxDefaults.RECIPIENT), got.get(0).allRecipients());
        assertTrue(!got.get(0).subject().contains("\n") && !got.get(0).subject().contains("\r"),
                got.get(0).subject());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void aNullMessageIsRefusedNamingTheArgument(String transport) throws Exception {
        try (MailConnection c = factory(transport).getConnection()) {
            NullPointerException e = assertThrows(NullPointerException.class, () -> c.send(null));
            assertEquals("message", e.getMessage());
            c.send(good("after null " + transport));
        }
        assertEquals(1, SANDBOX.get().outbox().withSubject("after null " + transport).size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void nonAsciiTextArrivesIntactWhereverItIsLegal(String transport) throws Exception {
        String subject = "Grüße – 日本語 ✓ Ελληνικά " + transport;
        String body = "Größe: 10 € — 漢字 — 🙂";
        String fileName = "Résumé – 履歴書.txt";
        byte[] content = "Inhalt: äöü".getBytes(StandardCharsets.UTF_8);
        MimeMessage m = good("x");
        m.setSubject(subject, "UTF-8");
        m.setFrom(new InternetAddress(SandboxDefaults.SENDER, "Zoë Ærøskøbing", "UTF-8"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(SandboxDefaults.RECIPIENT, "Jürgen Weiß",
                "UTF-8"));
        MimeBodyPart text = new MimeBodyPart();
        text.setText(body, "UTF-8");
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(content, "text/plain; charset=UTF-8")));
        attachment.setFileName(fileName);
        m.setContent(new MimeMultipart(text, attachment));
        try (MailConnection c = factory(transport).getConnection()) {
            c.send(m);
        }
        List<DeliveredMessage> got = SANDBOX.get().outbox().withSubject(subject);
        if (got.size() != 1) {
            fail("the subject did not arrive intact: " + SANDBOX.get().outbox().messages().stream()
                    .map(DeliveredMessage::subject).toList());
        }
        DeliveredMessage d = got.get(0);
        assertEquals("Zoë Ærøskøbing", d.fromName());
        assertTrue(d.textBody().contains(body), d.textBody());
        assertEquals(1, d.attachments().size());
        assertEquals(fileName, d.attachments().get(0).name());
    }
}
