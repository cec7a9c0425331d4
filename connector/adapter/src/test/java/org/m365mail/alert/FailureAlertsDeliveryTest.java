package org.m365mail.alert;

import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;
import org.m365mail.monitor.FailureReason;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.ManualClock;
import org.m365mail.testing.TestNaming;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which way an alert goes out (the pool, the fallback pool, the log) and what its text says. */
class FailureAlertsDeliveryTest {

    private static final String SECRET = "Zx8Q~verySecretValue.123";
    private static final String FALLBACK = "java:global/mail/Fallback";
    private final ManualClock clock = new ManualClock();
    private final List<Message> throughPool = new ArrayList<>();
    private boolean poolFails;
    private AutoCloseable naming;

    private final AlertChannel channel = new AlertChannel() {
        @Override
        public void sendThroughPool(Message message) throws MailSendException {
            if (poolFails) {
                throw new MailSendException("Entra ID refused the token request", "AADSTS7000215", null);
            }
            throughPool.add(message);
        }

        @Override
        public List<String> secrets() {
            return List.of(SECRET);
        }
    };

    @BeforeEach
    void install() {
        naming = TestNaming.install();
    }

    @AfterEach
    void uninstall() throws Exception {
        naming.close();
    }

    private FailureAlerts alerts(String fallback, Executor executor, String... to) throws Exception {
        List<InternetAddress> addresses = new ArrayList<>();
        for (String a : to) {
            addresses.add(new InternetAddress(a));
        }
        MailSettings.Operations operations = new MailSettings.Operations(addresses, Duration.ofMinutes(60), fallback,
                Duration.ofSeconds(120), Duration.ofDays(30));
        return new FailureAlerts(() -> "mail/Office365", operations, channel, executor, clock);
    }

    private FailureAlerts alerts(String fallback, String... to) throws Exception {
        // Sent on the calling thread, so the test sees each alert once the call returns.
        return alerts(fallback, Runnable::run, to);
    }

    private static List<String> messages(CapturedLog log, Level level) {
        return log.records().stream().filter(r -> r.getLevel() == level).map(LogRecord::getMessage).toList();
    }

    @Test
    void aPoolWideFailureGoesThroughTheFallbackPoolWhenOneIsSet() throws Exception {
        FakeFactory fallback = new FakeFactory();
        TestNaming.bind(FALLBACK, fallback);
        FailureAlerts alerts = alerts(FALLBACK, "ops@contoso.test");
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            alerts.failed(FailureReason.AUTHENTICATION, "Entra ID refused the secret " + SECRET, clock.instant());
            assertEquals(List.of(), throughPool, "a pool that cannot sign in does not carry its own alert");
            assertEquals(1, fallback.sent.size());
            Message sent = fallback.sent.get(0);
            assertEquals("[m365-mail] ALERT: authentication failing for mail/Office365", sent.getSubject());
            assertFalse(((String) sent.getContent()).contains(SECRET), "masked");
            assertEquals(List.of("M365MAIL-6006 [m365-mail] ALERT: authentication failing for mail/Office365 sent to "
                    + "ops@contoso.test through alertFallbackFactory " + FALLBACK), messages(log, Level.WARNING));
            assertEquals(List.of(), messages(log, Level.SEVERE), "delivered, so not in the log");
        }
    }

    @Test
    void aMessageFailureThePoolCannotCarryGoesThroughTheFallbackPool() throws Exception {
        FakeFactory fallback = new FakeFactory();
        TestNaming.bind(FALLBACK, fallback);
        FailureAlerts alerts = alerts(FALLBACK, "ops@contoso.test");
        poolFails = true;
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            alerts.failed(FailureReason.REJECTED, "refused recipient", clock.instant());
            assertEquals(1, fallback.sent.size());
            List<String> warnings = messages(log, Level.WARNING);
            assertEquals(2, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("M365MAIL-6005 The alert could not be sent through the pool "
                    + "itself: Entra ID refused the token request"), warnings.get(0));
            assertTrue(warnings.get(1).startsWith("M365MAIL-6006 "), warnings.get(1));
        }
    }

    @Test
    void whenTheFallbackPoolFailsTooTheLogHasTheAlert() throws Exception {
        FailureAlerts alerts = alerts(FALLBACK, "ops@contoso.test");
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            alerts.failed(FailureReason.CONNECTIVITY, "Cannot reach Microsoft Graph", clock.instant());
            List<String> warnings = messages(log, Level.WARNING);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("M365MAIL-6007 The alert could not be sent through "
                    + "alertFallbackFactory " + FALLBACK + ": alertFallbackFactory " + FALLBACK + " is not a name the "
                    + "server knows"), warnings.get(0));
            List<String> severe = messages(log, Level.SEVERE);
            assertEquals(1, severe.size());
            assertTrue(severe.get(0).startsWith("M365MAIL-6004 [m365-mail] ALERT: connectivity failing for "
                    + "mail/Office365"), severe.get(0));
        }
    }

    @Test
    void anAlertSentThroughThePoolIsLoggedWithItsRecipients() throws Exception {
        FailureAlerts alerts = alerts(null, "ops@contoso.test", "second@contoso.test");
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            alerts.failed(FailureReason.REJECTED, "refused recipient", clock.instant());
            assertEquals(List.of("M365MAIL-6003 [m365-mail] ALERT: rejected failure in mail/Office365 sent to "
                    + "ops@contoso.test, second@contoso.test through the pool"), messages(log, Level.WARNING));
        }
        assertEquals(1, throughPool.size());
    }

    @Test
    void anAlertThatCannotBeHandedToTheAlertThreadGoesToTheLogMasked() throws Exception {
        Executor stopped = task -> {
            throw new RejectedExecutionException("the deployment is stopping");
        };
        FailureAlerts alerts = alerts(null, stopped, "ops@contoso.test");
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            alerts.failed(FailureReason.AUTHENTICATION, "refused " + SECRET, clock.instant());
            List<String> severe = messages(log, Level.SEVERE);
            assertEquals(1, severe.size());
            assertTrue(severe.get(0).startsWith("M365MAIL-6004 [m365-mail] ALERT: authentication failing for "
                    + "mail/Office365"), severe.get(0));
            assertTrue(severe.get(0).contains("refused ****"), severe.get(0));
        }
        assertEquals(List.of(), throughPool);
    }

    @Test
    void theHeldBackCountSaysWhenTheFirstHeldBackFailureWas() throws Exception {
        FailureAlerts alerts = alerts(null);
        Instant start = clock.instant();
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            alerts.failed(FailureReason.CONNECTIVITY, "unreachable", clock.instant());
            clock.advance(Duration.ofMinutes(5));
            Instant firstHeldBack = clock.instant();
            alerts.failed(FailureReason.CONNECTIVITY, "unreachable", clock.instant());
            clock.advance(Duration.ofMinutes(5));
            alerts.failed(FailureReason.CONNECTIVITY, "unreachable", clock.instant());
            clock.advance(Duration.ofMinutes(5));
            alerts.failed(FailureReason.CONNECTIVITY, "unreachable", clock.instant());
            clock.advance(Duration.ofMinutes(45)); // an hour after the first alert
            alerts.failed(FailureReason.CONNECTIVITY, "unreachable", clock.instant());
            List<String> severe = messages(log, Level.SEVERE);
            assertEquals(2, severe.size());
            assertTrue(severe.get(1).contains("(3 more connectivity failures since the last alert, the first at "
                    + firstHeldBack.truncatedTo(ChronoUnit.SECONDS) + ")"), severe.get(1));
        }
    }

    @Test
    void theAlertNamesTheServerItComesFrom() throws Exception {
        FailureAlerts alerts = alerts(null, "ops@contoso.test");
        alerts.failed(FailureReason.REJECTED, "refused recipient", clock.instant());
        String body = (String) throughPool.get(0).getContent();
        assertTrue(body.startsWith("The Microsoft 365 mail connector on " + InetAddress.getLocalHost().getHostName()
                + " reports a failure."), body);
    }

    @Test
    void itDescribesItselfByHowManyAreTold() throws Exception {
        assertEquals("FailureAlerts[2 addresses]", alerts(null, "a@contoso.test", "b@contoso.test").toString());
        assertEquals("FailureAlerts[0 addresses]", alerts(null).toString());
    }
}
