package org.m365mail.transport.smtp;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.testing.StalledSmtpServer;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that stops reading in the middle of a message's data: the blocked write is aborted after the timeout
 * (readTimeoutMillis) instead of hanging the sending thread, and the send fails saying the message was not sent.
 */
class SmtpWriteTimeoutTest {

    @Test
    void aWriteToAServerThatStoppedReadingIsAbortedAfterTheTimeout(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(64L * 1024 * 1024); // far more than the socket buffers hold
        }
        try (StalledSmtpServer server = new StalledSmtpServer()) {
            MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
            mcf.setTransport("SMTP");
            mcf.setAuthentication("PASSWORD");
            mcf.setUsername("relay-user");
            mcf.setPassword("relay-pass");
            mcf.setFromAddress("app@stalled.test");
            mcf.setSmtpHost("127.0.0.1");
            mcf.setSmtpPort(server.port());
            mcf.setSmtpTls("PLAINTEXT_LOOPBACK_ONLY");
            mcf.setSmtpMaxConcurrentSends(0);
            mcf.setMessagesPerMinute(0);
            mcf.setMaxMessageBytes(200L * 1024 * 1024);
            mcf.setReadTimeoutMillis(1500);
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
            message.setRecipients(Message.RecipientType.TO, "someone@stalled.test");
            message.setSubject("stalled");
            MimeBodyPart text = new MimeBodyPart();
            text.setText("a large file follows");
            MimeBodyPart attachment = new MimeBodyPart();
            attachment.attachFile(big.toFile());
            message.setContent(new MimeMultipart(text, attachment));

            MailSendException e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(
                    MailSendException.class, () -> {
                        try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory())
                                .getConnection()) {
                            c.send(message);
                        }
                    }), "the sending thread must not hang on a server that stopped reading");
            assertTrue(e.getMessage().contains("The message was not sent"), e.getMessage());
            assertTrue(causes(e).contains("Write timed out: the SMTP server stopped reading for 1500 ms"),
                    causes(e));
            assertEquals(2, server.dataCommands(), "tried once more on a new connection, as for a lost one");
            mcf.close();
        }
    }

    private static String causes(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() != null ? c.getCause()
                : c instanceof jakarta.mail.MessagingException m ? m.getNextException() : null) {
            out.append(c).append(" <- ");
        }
        return out.toString();
    }
}
