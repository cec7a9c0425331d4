package org.m365mail.transport.smtp;

import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The message as the SMTP provider sees it: what it reads of the application's message is the application's, its
 * content is written unchanged, and it notes once the content was written in full.
 */
class WatchedDataTest {

    private static final String RAW = String.join("\r\n",
            "From: Contoso Notifications <notify@contoso.test>",
            "Sender: mailer@contoso.test",
            "To: someone@contoso.test",
            "Cc: a@contoso.test",
            "Cc: b@contoso.test",
            "Subject: Watched",
            "Message-ID: <watched-1@contoso.test>",
            "Content-Type: text/plain; charset=US-ASCII",
            "",
            "The body of the watched message.",
            "");

    private static MimeMessage application() throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(RAW.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theProviderReadsTheApplicationsHeadersAndSize() throws Exception {
        MimeMessage message = application();
        WatchedData data = new WatchedData(Session.getInstance(new Properties()), message);
        assertArrayEquals(new InternetAddress[]{new InternetAddress("notify@contoso.test",
                "Contoso Notifications")}, data.getFrom());
        assertEquals(new InternetAddress("mailer@contoso.test"), data.getSender());
        assertEquals("Watched", data.getSubject());
        assertEquals("<watched-1@contoso.test>", data.getMessageID());
        assertTrue(message.getSize() > 0);
        assertEquals(message.getSize(), data.getSize());
        assertArrayEquals(new String[]{"a@contoso.test", "b@contoso.test"}, data.getHeader("Cc"));
        assertEquals("a@contoso.test, b@contoso.test", data.getHeader("Cc", ", "));
    }

    @Test
    void theContentIsWrittenUnchangedAndNotedAsWrittenOnlyOnceWholly() throws Exception {
        MimeMessage message = application();
        WatchedData data = new WatchedData(Session.getInstance(new Properties()), message);
        data.saveChanges(); // the provider's call changes nothing
        assertFalse(data.written());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        message.writeTo(expected);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        data.writeTo(out);
        assertEquals(expected.toString(StandardCharsets.US_ASCII), out.toString(StandardCharsets.US_ASCII));
        assertTrue(data.written());
    }
}
