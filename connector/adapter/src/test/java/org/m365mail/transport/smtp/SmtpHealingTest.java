package org.m365mail.transport.smtp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.CachedTokenSource;
import org.m365mail.testing.ManualClock;
import org.m365mail.auth.MsalClientCredentials;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TlsTrust;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SmtpFaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.transport.MailChannel;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pooled SMTP connections that outlive their token or their server-side session, and servers that defer or drop:
 * each message is delivered exactly once, or the send says why not.
 */
class SmtpHealingTest {

    private static final ManualClock CLOCK = new ManualClock();
    private static final org.m365mail.runtime.ConnectorRuntime RUNTIME =
            new org.m365mail.runtime.ConnectorRuntime("healing-test");

    @org.junit.jupiter.api.AfterAll
    static void stopThreads() {
        RUNTIME.close();
    }
    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-healing", b -> b.clock(CLOCK));

    /** A channel on a transport whose tokens and connections live on the test's clock. */
    private static MailChannel channel() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        MailSettings settings = mcf.settings();
        SSLContext tls = TlsTrust.context(settings);
        CachedTokenSource tokens = new CachedTokenSource(
                new MsalClientCredentials(settings, settings.exchangeScope(), tls, CLOCK), CLOCK, "test",
                RUNTIME.background());
        return new SmtpXoauth2Transport(RUNTIME, settings, tokens, tls, CLOCK).open();
    }

    private static long delivered(String subject) {
        return SANDBOX.get().outbox().withSubject(subject).size();
    }

    @Test
    void aConnectionIsReauthenticatedWithANewTokenOnceItsTokenExpires() throws Exception {
        MailChannel channel = channel();
        int logins = SANDBOX.get().smtpLogins();
        channel.send(SandboxFactories.textMessage("before expiry", "1"));
        channel.send(SandboxFactories.textMessage("before expiry 2", "2"));
        assertEquals(1, SANDBOX.get().smtpLogins() - logins);
        CLOCK.advance(Duration.ofMinutes(61));
        channel.send(SandboxFactories.textMessage("after expiry", "3"));
        assertEquals(2, SANDBOX.get().smtpLogins() - logins, "signed in again");
        assertEquals(2, SANDBOX.get().tokenRequests().total(), "with a new token");
        assertEquals(1, delivered("after expiry"));
        channel.close();
    }

    @Test
    void aConnectionInSteadyUseIsNotAskedWhetherItIsStillOpenBeforeEachMessage() throws Exception {
        MailChannel channel = channel();
        channel.send(SandboxFactories.textMessage("steady 0", "0"));
        int noops = SANDBOX.get().smtpCommands("NOOP");
        int mails = SANDBOX.get().smtpCommands("MAIL");
        for (int i = 1; i <= 5; i++) {
            channel.send(SandboxFactories.textMessage("steady " + i, String.valueOf(i)));
        }
        assertEquals(5, SANDBOX.get().smtpCommands("MAIL") - mails, "one transaction per message");
        assertEquals(0, SANDBOX.get().smtpCommands("NOOP") - noops, "no NOOP round trip between messages");
        channel.close();
    }

    @Test
    void aConnectionTheServerDroppedIsReplacedAndTheMessageDeliveredOnce() throws Exception {
        MailChannel channel = channel();
        channel.send(SandboxFactories.textMessage("first", "1"));
        int logins = SANDBOX.get().smtpLogins();
        SANDBOX.get().dropSmtpConnections();
        channel.send(SandboxFactories.textMessage("after idle timeout", "2"));
        assertEquals(1, delivered("after idle timeout"));
        assertEquals(1, SANDBOX.get().smtpLogins() - logins, "one new connection");

        SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.RESET_ON_MAIL);
        channel.send(SandboxFactories.textMessage("after reset", "3"));
        assertEquals(1, delivered("after reset"));
        channel.close();
    }

    @Test
    void aMessageTheServerMayHaveAcceptedIsNeverSentTwice() throws Exception {
        MailChannel channel = channel();
        SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.DROP_AFTER_ACCEPTING_DATA);
        MailSendException e = assertThrows(MailSendException.class,
                () -> channel.send(SandboxFactories.textMessage("accepted then dropped", "x")));
        assertEquals("OutcomeUnknown", e.getErrorCode());
        assertTrue(e.getMessage().contains("not sent again"), e.getMessage());
        assertEquals(1, delivered("accepted then dropped"), "delivered exactly once");
        channel.send(SandboxFactories.textMessage("next one", "y"));
        assertEquals(1, delivered("next one"), "the channel heals for the next message");
        channel.close();
    }

    @Test
    void aResetAfterTheServerTookTheMessageIsNotSentTwice() throws Exception {
        // A reset (RST) while the reply to the end-of-data line is awaited: Angus Mail reports it as it reports a
        // reset before MAIL FROM ("Exception reading response"); only the written data tells them apart.
        MailChannel channel = channel();
        channel.send(SandboxFactories.textMessage("warm", "0"));
        SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.RESET_AFTER_ACCEPTING_DATA);
        MailSendException e = assertThrows(MailSendException.class,
                () -> channel.send(SandboxFactories.textMessage("accepted then reset", "x")));
        assertEquals("OutcomeUnknown", e.getErrorCode());
        assertTrue(e.getMessage().contains("<"), "names the message id: " + e.getMessage());
        assertEquals(1, delivered("accepted then reset"), "delivered exactly once");
        channel.send(SandboxFactories.textMessage("after the reset", "y"));
        assertEquals(1, delivered("after the reset"));
        channel.close();
    }

    @Test
    void aServerThatStallsAfterTheDataIsNotSentTheMessageAgain() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setReadTimeoutMillis(500);
        MailSettings settings = mcf.settings();
        SSLContext tls = TlsTrust.context(settings);
        CachedTokenSource tokens = new CachedTokenSource(
                new MsalClientCredentials(settings, settings.exchangeScope(), tls, CLOCK), CLOCK, "test",
                RUNTIME.background());
        MailChannel channel = new SmtpXoauth2Transport(RUNTIME, settings, tokens, tls, CLOCK).open();
        SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.STALL_AFTER_DATA);
        int mails = SANDBOX.get().smtpCommands("MAIL");
        MailSendException e = assertThrows(MailSendException.class,
                () -> channel.send(SandboxFactories.textMessage("stalled", "x")));
        assertEquals("OutcomeUnknown", e.getErrorCode());
        assertEquals(1, SANDBOX.get().smtpCommands("MAIL") - mails, "one attempt, none repeated");
        assertEquals(0, delivered("stalled"), "this server did not take it; the client could not know");
        channel.close();
    }

    @Test
    void aServerGoingOutOfServiceBeforeTheDataIsLeftForAnotherConnection() throws Exception {
        MailChannel channel = channel();
        channel.send(SandboxFactories.textMessage("before 421", "0"));
        SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.CLOSING_ON_MAIL);
        channel.send(SandboxFactories.textMessage("after 421", "1"));
        assertEquals(1, delivered("after 421"), "sent once, on a new connection");
        channel.close();
    }

    @Test
    void aFailureWithoutReplyIsUnknownOnlyOnceTheDataWasWritten() {
        assertEquals(SmtpChannel.Failure.CONNECTION_LOST, SmtpChannel.classify(0, false));
        assertEquals(SmtpChannel.Failure.CONNECTION_LOST, SmtpChannel.classify(-1, false));
        assertEquals(SmtpChannel.Failure.OUTCOME_UNKNOWN, SmtpChannel.classify(0, true));
        assertEquals(SmtpChannel.Failure.OUTCOME_UNKNOWN, SmtpChannel.classify(-1, true));
        assertEquals(SmtpChannel.Failure.TRANSIENT, SmtpChannel.classify(451, true), "a reply is an answer");
        assertEquals(SmtpChannel.Failure.PERMANENT, SmtpChannel.classify(554, true));
    }

    @Test
    void deferralsAreRetriedWithBackoffAndRefusalsAreNot() throws Exception {
        MailChannel channel = channel();
        SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.BUSY_ON_RECIPIENT);
        channel.send(SandboxFactories.textMessage("busy recipient", "1"));
        assertEquals(1, delivered("busy recipient"));
        SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.BUSY_ON_DATA);
        channel.send(SandboxFactories.textMessage("busy data", "2"));
        assertEquals(1, delivered("busy data"));

        for (int i = 0; i < 3; i++) {
            SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.BUSY_ON_DATA);
        }
        MailSendException e = assertThrows(MailSendException.class,
                () -> channel.send(SandboxFactories.textMessage("always busy", "3")));
        assertTrue(e.getMessage().contains("kept deferring"), e.getMessage());
        assertEquals("451 4.7.500", e.getErrorCode());
        assertEquals(0, delivered("always busy"));
        channel.close();
    }
}
