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

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that stops reading in the middle of a message's data: the blocked write is aborted after the timeout
 * (readTimeoutMillis) instead of hanging the sending thread, and the send fails saying the message was not sent.
 */
class SmtpWriteTimeoutTest {

    /** Answers up to DATA's 354, then reads nothing more, as a stuck server would. */
    private static final class StalledServer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger dataCommands = new AtomicInteger();
        final List<Socket> open = new ArrayList<>();
        final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

        StalledServer() throws Exception {
            Thread t = new Thread(this::serve, "stalled-smtp");
            t.setDaemon(true);
            t.start();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    synchronized (open) {
                        open.add(s);
                    }
                    Thread session = new Thread(() -> converse(s), "stalled-smtp-session");
                    session.setDaemon(true);
                    session.start();
                } catch (Exception e) {
                    return;
                }
            }
        }

        private void converse(Socket s) {
            try {
                s.setReceiveBufferSize(4096);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                reply(out, "220 stalled.test ESMTP");
                String line;
                while ((line = in.readLine()) != null) {
                    String verb = line.split(" ")[0].toUpperCase(java.util.Locale.ROOT);
                    switch (verb) {
                        case "EHLO" -> reply(out, "250-stalled.test\r\n250 AUTH PLAIN");
                        case "AUTH" -> reply(out, "235 2.7.0 Authentication successful");
                        case "MAIL", "RCPT", "RSET", "NOOP" -> reply(out, "250 2.1.0 OK");
                        case "DATA" -> {
                            dataCommands.incrementAndGet();
                            reply(out, "354 go ahead");
                            closed.await(); // and read none of the data until the test is over
                        }
                        case "QUIT" -> {
                            reply(out, "221 bye");
                            return;
                        }
                        default -> reply(out, "500 what?");
                    }
                }
            } catch (Exception e) {
                // the client went away
            }
        }

        private static void reply(OutputStream out, String text) throws Exception {
            out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws Exception {
            closed.countDown();
            server.close();
            synchronized (open) {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aWriteToAServerThatStoppedReadingIsAbortedAfterTheTimeout(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(64L * 1024 * 1024); // far more than the socket buffers hold
        }
        // As after a resource adapter's stop: the watching thread is gone, and a new factory starts it again.
        SmtpXoauth2Transport.stopWriteTimeouts();
        try (StalledServer server = new StalledServer()) {
            MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
            mcf.setTransport("SMTP");
            mcf.setAuthentication("PASSWORD");
            mcf.setUsername("relay-user");
            mcf.setPassword("relay-pass");
            mcf.setFromAddress("app@stalled.test");
            mcf.setSmtpHost("127.0.0.1");
            mcf.setSmtpPort(server.server.getLocalPort());
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
            assertEquals(2, server.dataCommands.get(), "tried once more on a new connection, as for a lost one");
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
