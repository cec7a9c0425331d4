package org.m365mail.policy;

import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The size check counts what the server receives, and the Message-ID the connector gives a message. */
class MessageSizeTest {

    private static final Session SESSION = Session.getInstance(new Properties());

    private static MimeMessage message(String text) throws MessagingException {
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom("sender@contoso.test");
        m.setRecipients(Message.RecipientType.TO, "someone@contoso.test");
        m.setSubject("size");
        m.setText(text);
        m.saveChanges();
        return m;
    }

    /** The bytes a server receives: the message without Bcc and Content-Length. */
    private static long onTheWire(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out, new String[]{"Bcc", "Content-Length"});
        return out.size();
    }

    @Test
    void aMessageExactlyAtTheLimitFitsAndOneByteMoreDoesNot() throws Exception {
        MimeMessage m = message("exactly at the limit\n".repeat(40));
        long size = onTheWire(m);
        assertEquals(-1, MessageSize.exceeding(m, size), "at the limit");
        assertEquals(size, MessageSize.exceeding(m, size - 1), "one byte over: its encoded size");
    }

    @Test
    void bccIsNotCountedAsTheServerDoesNotReceiveIt() throws Exception {
        MimeMessage m = message("short");
        long withoutBcc = onTheWire(m);
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            many.append(i == 0 ? "" : ", ").append("hidden").append(i).append("@contoso.test");
        }
        m.setRecipients(Message.RecipientType.BCC, many.toString());
        assertEquals(-1, MessageSize.exceeding(m, withoutBcc));
    }

    @Test
    void aSmallMessageFarBelowTheLimitFitsWithoutBeingEncoded() throws Exception {
        // Encoding it would fail: only the bound, which encodes nothing, can say that it fits.
        MimeMessage m = new MimeMessage(SESSION) {
            @Override
            public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
                throw new IOException("encoded although the bound showed that it fits");
            }
        };
        m.setFrom("sender@contoso.test");
        m.setRecipients(Message.RecipientType.TO, "someone@contoso.test");
        m.setText("text");
        m.saveChanges();
        assertEquals(-1, MessageSize.exceeding(m, 1_000_000));
        assertEquals(-1, MessageSize.exceeding(m, EncodedSizeBound.of(m)), "a bound exactly at the limit fits");
    }

    @Test
    void aPartThatCannotBeReadFailsTheCheckNamingTheCause() throws Exception {
        DataSource failing = new DataSource() {
            @Override
            public InputStream getInputStream() throws IOException {
                throw new IOException("disk\nunplugged");
            }

            @Override
            public OutputStream getOutputStream() throws IOException {
                throw new IOException("read-only");
            }

            @Override
            public String getContentType() {
                return "application/octet-stream";
            }

            @Override
            public String getName() {
                return "failing";
            }
        };
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(failing));
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom("sender@contoso.test");
        m.setRecipients(Message.RecipientType.TO, "someone@contoso.test");
        m.setContent(new MimeMultipart(part));
        MailSendException e = assertThrows(MailSendException.class, () -> MessageSize.exceeding(m, 1_000_000));
        assertEquals("MalformedMessage", e.getErrorCode());
        assertTrue(e.getMessage().contains("disk_unplugged"), "the cause, cleaned for the log: " + e.getMessage());
        assertTrue(e.getCause() != null);
    }

    @Test
    void theApplicationsMessageIdIsKeptTrimmed() throws Exception {
        MimeMessage m = message("x");
        m.setHeader("Message-ID", "  <order-42@shop.example>  ");
        assertEquals("<order-42@shop.example>", MessageIds.prepare(m, new InternetAddress("a@contoso.test")));
        assertEquals("<order-42@shop.example>", m.getHeader("Message-ID")[0], "saveChanges did not replace it");
    }

    @Test
    void aMissingOrBlankMessageIdIsMadeInTheSendersDomain() throws Exception {
        MimeMessage none = message("x");
        none.removeHeader("Message-ID");
        String id = MessageIds.prepare(none, new InternetAddress("orders@mail.contoso.test"));
        assertTrue(id.matches("<[0-9a-f-]{36}@mail\\.contoso\\.test>"), id);
        assertEquals(id, none.getHeader("Message-ID")[0]);

        MimeMessage blank = message("x");
        blank.setHeader("Message-ID", "   ");
        String made = MessageIds.prepare(blank, new InternetAddress("orders@contoso.test"));
        assertTrue(made.endsWith("@contoso.test>"), made);
        assertNotEquals(id, made, "each message its own");
    }
}
