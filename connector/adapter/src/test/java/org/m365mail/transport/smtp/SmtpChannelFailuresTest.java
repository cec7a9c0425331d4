package org.m365mail.transport.smtp;

import org.m365mail.testing.Await;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.monitor.SendEvents;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.testing.StalledSmtpServer;
import org.m365mail.transport.MailChannel;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.m365mail.transport.smtp.ScriptedSmtpServer.say;
import static org.m365mail.transport.smtp.ScriptedSmtpServer.sayAndHangUp;

/**
 * The SMTP channel against relays that misbehave in ways the stand-in does not: a connection Angus Mail already
 * knows is closed, the pool aborting a send in the middle of its data, and a thread interrupted while it waits to
 * retry a deferral.
 */
class SmtpChannelFailuresTest {

    private static final ConnectorRuntime RUNTIME = new ConnectorRuntime("smtp-channel-failures-test");

    @AfterAll
    static void stopThreads() {
        RUNTIME.close();
    }

    /** Counts the retries the channel reports. */
    private static final class CountingEvents implements SendEvents {
        final AtomicInteger retries = new AtomicInteger();

        @Override
        public void retried() {
            retries.incrementAndGet();
        }
    }

    private static MailChannel channel(MailManagedConnectionFactory mcf, SendEvents events) throws Exception {
        return new SmtpXoauth2Transport(RUNTIME, mcf.settings(), null, SSLContext.getDefault(), Clock.systemUTC(),
                events).open();
    }

    private static MimeMessage message(String subject) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setRecipients(Message.RecipientType.TO, "someone@relay.test");
        message.setSubject(subject);
        message.setText("body of " + subject);
        return message;
    }

    @Test
    void aConnectionAngusMailGaveUpOnAfterARefusalIsReplacedForTheNextMessage() throws Exception {
        // The first connection refuses the sender, then answers Angus Mail's RSET with a line that is no reply: Angus
        // Mail closes the connection itself, while the send reports the refusal (a 5xx reply), after which the
        // channel keeps a connection. The next send finds it closed before anything was sent.
        try (ScriptedSmtpServer server = new ScriptedSmtpServer((n, command) -> n > 0 ? null
                : command.startsWith("MAIL") ? say("550 5.7.1 Sender refused")
                : command.startsWith("RSET") ? sayAndHangUp("garbled") : null)) {
            CountingEvents events = new CountingEvents();
            MailChannel channel = channel(RelaySettings.factory("PLAINTEXT_LOOPBACK_ONLY", server.port()), events);
            MailSendException refused = assertThrows(MailSendException.class, () -> channel.send(message("first")));
            assertEquals("550 5.7.1", refused.getErrorCode());

            SentMessage sent = channel.send(message("second"));
            assertTrue(sent.serviceReference().startsWith("250"), sent.serviceReference());
            assertEquals(1, server.accepted());
            assertEquals(2, server.connections(), "the closed connection was replaced by one new one");
            // When the channel finds the loss (Angus Mail's own close after the garbled reply, seen at the send, or
            // before it) depends on when Angus Mail reads the hang-up; both were seen in CI. Never more than one retry.
            assertTrue(events.retries.get() <= 1, "tried again at most once: " + events.retries.get());
            assertFalse(channel.isBroken(), "the channel healed");
            channel.close();
        }
    }

    @Test
    void aSendThePoolAbortsInTheMiddleOfItsDataFailsAsClosedByThePoolAndIsNotRepeated(@TempDir Path dir)
            throws Exception {
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(64L * 1024 * 1024); // far more than the socket buffers hold
        }
        MimeMessage message = message("aborted");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("a large file follows");
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.attachFile(big.toFile());
        message.setContent(new MimeMultipart(text, attachment));
        try (StalledSmtpServer server = new StalledSmtpServer()) {
            MailManagedConnectionFactory mcf = RelaySettings.factory("PLAINTEXT_LOOPBACK_ONLY", server.port());
            mcf.setMaxMessageBytes(200L * 1024 * 1024);
            mcf.setReadTimeoutMillis(60_000); // the write watchdog stays out of it
            MailChannel channel = channel(mcf, SendEvents.NONE);
            CompletableFuture<SentMessage> sending = CompletableFuture.supplyAsync(() -> {
                try {
                    return channel.send(message);
                } catch (MailSendException e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until(() -> server.dataCommands() == 1, Duration.ofSeconds(30), "the DATA command");
            channel.abort();
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> sending.get(30, TimeUnit.SECONDS));
            MailSendException e = assertInstanceOf(MailSendException.class, failed.getCause().getCause(),
                    String.valueOf(failed.getCause()));
            assertEquals("ConnectionClosedByPool", e.getErrorCode(), e.getMessage());
            assertTrue(e.getMessage().contains("was not sent"), e.getMessage());
            assertEquals(1, server.dataCommands(), "not sent again on a new connection");
            assertTrue(channel.isBroken());
        }
    }

    @Test
    void aThreadInterruptedWhileWaitingToRetryADeferralStopsAndStaysInterrupted() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer((n, command) ->
                command.startsWith("RCPT") ? say("451 4.3.0 Try again later") : null)) {
            MailChannel channel = channel(RelaySettings.factory("PLAINTEXT_LOOPBACK_ONLY", server.port()),
                    SendEvents.NONE);
            Thread.currentThread().interrupt();
            MailSendException e;
            boolean stillInterrupted;
            try {
                e = assertThrows(MailSendException.class, () -> channel.send(message("deferred")));
            } finally {
                stillInterrupted = Thread.interrupted();
            }
            assertTrue(e.getMessage().contains("Interrupted while waiting to retry"), e.getMessage());
            assertTrue(stillInterrupted, "the interrupt is kept for the caller to see");
            assertEquals(0, server.accepted());
            channel.close();
        }
    }

}
