package org.m365mail.alert;

import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;
import org.m365mail.monitor.FailureReason;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.ManualClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureAlertsTest {

    private static final String SECRET = "Zx8Q~verySecretValue.123";
    private final ManualClock clock = new ManualClock();
    private final List<Message> throughPool = new ArrayList<>();
    private boolean poolFails;

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

    private FailureAlerts alerts(String... to) throws Exception {
        List<InternetAddress> addresses = new ArrayList<>();
        for (String a : to) {
            addresses.add(new InternetAddress(a));
        }
        MailSettings.Operations operations = new MailSettings.Operations(addresses, Duration.ofMinutes(60), null,
                Duration.ofSeconds(120), Duration.ofDays(30));
        // Sent on the calling thread, so the test sees each alert once the call returns.
        return new FailureAlerts(() -> "mail/Office365: notifications@contoso.test over Microsoft Graph", operations,
                channel, Runnable::run, clock);
    }

    private static List<String> severe(CapturedLog log) {
        return log.records().stream().filter(r -> r.getLevel() == Level.SEVERE).map(LogRecord::getMessage).toList();
    }

    @Test
    void aPoolWideFailureIsToldOncePerIntervalThenAgainWithWhatWasHeldBack() throws Exception {
        FailureAlerts alerts = alerts("ops@contoso.test");
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            for (int i = 0; i < 5; i++) {
                alerts.failed(FailureReason.AUTHENTICATION, "Entra ID refused the secret " + SECRET
                        + " (AADSTS7000215)", clock.instant());
                clock.advance(Duration.ofMinutes(1));
            }
            assertEquals(1, severe(log).size(), "one alert, not one per message");
            clock.advance(Duration.ofMinutes(56));
            alerts.failed(FailureReason.AUTHENTICATION, "still refused (AADSTS7000215)", clock.instant());
            List<String> told = severe(log);
            assertEquals(2, told.size());
            assertTrue(told.get(1).contains("4 more authentication failures since the last alert"), told.get(1));
            for (String text : told) {
                assertTrue(text.startsWith("M365MAIL-6004 [m365-mail] ALERT: authentication failing for "
                        + "mail/Office365"), text);
                assertTrue(text.contains("Fix:"), text);
                assertFalse(text.contains(SECRET), "the secret is masked: " + text);
            }
        }
        assertEquals(List.of(), throughPool, "a pool that cannot sign in does not carry its own alert");
    }

    @Test
    void kindsHaveWindowsOfTheirOwn() throws Exception {
        FailureAlerts alerts = alerts();
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            alerts.failed(FailureReason.AUTHENTICATION, "refused", clock.instant());
            alerts.failed(FailureReason.CONNECTIVITY, "unreachable", clock.instant());
            alerts.failed(FailureReason.CONNECTIVITY, "unreachable", clock.instant());
            assertEquals(2, severe(log).size());
        }
    }

    @Test
    void aMessageThatFailedIsToldThroughThePoolItself() throws Exception {
        FailureAlerts alerts = alerts("ops@contoso.test", "second@contoso.test");
        alerts.failed(FailureReason.REJECTED, "Microsoft Graph refused message <1@contoso.test> (HTTP 400, "
                + "ErrorInvalidRecipients)", clock.instant());
        assertEquals(1, throughPool.size());
        MimeMessage m = (MimeMessage) throughPool.get(0);
        assertEquals("[m365-mail] ALERT: rejected failure in mail/Office365: notifications@contoso.test over "
                + "Microsoft Graph", m.getSubject());
        assertEquals(2, m.getAllRecipients().length);
        assertEquals(null, m.getFrom(), "each pool puts its own fromAddress");
        assertEquals("auto-generated", m.getHeader("Auto-Submitted")[0]);
        String body = (String) m.getContent();
        assertTrue(body.contains("Pool:     mail/Office365"), body);
        assertTrue(body.contains("ErrorInvalidRecipients"), body);
        assertTrue(body.contains("Time:     "), body);
        assertTrue(body.contains("the pool sends other messages"), body);
    }

    @Test
    void whenThePoolCannotCarryTheAlertTheLogHasItsWholeText() throws Exception {
        FailureAlerts alerts = alerts("ops@contoso.test");
        poolFails = true;
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            alerts.failed(FailureReason.REJECTED, "refused recipient", clock.instant());
            assertEquals(1, log.warnings().size(), "the failed attempt");
            assertEquals(1, severe(log).size(), "and the alert itself");
            assertTrue(severe(log).get(0).contains("refused recipient"));
        }
    }

    @Test
    void recoveryIsToldOnlyAfterAnAlert() throws Exception {
        FailureAlerts alerts = alerts("ops@contoso.test");
        Instant since = clock.instant();
        alerts.recovered(FailureReason.CONNECTIVITY, since, 3, clock.instant());
        assertEquals(0, throughPool.size(), "nothing was told, so there is nothing to take back");
        alerts.failed(FailureReason.CONNECTIVITY, "unreachable", clock.instant());
        clock.advance(Duration.ofMinutes(3));
        alerts.recovered(FailureReason.CONNECTIVITY, since, 3, clock.instant());
        assertEquals(1, throughPool.size());
        assertEquals("[m365-mail] RECOVERED: mail/Office365: notifications@contoso.test over Microsoft Graph sends "
                + "again", throughPool.get(0).getSubject());
        alerts.recovered(FailureReason.CONNECTIVITY, since, 3, clock.instant());
        assertEquals(1, throughPool.size(), "once per episode");
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            alerts.failed(FailureReason.CONNECTIVITY, "unreachable again", clock.instant());
            assertEquals(1, severe(log).size(), "a new outage is told at once, not after the interval");
        }
    }

    @Test
    void anExpiringCredentialIsNoticedOncePerInterval() throws Exception {
        FailureAlerts alerts = alerts("ops@contoso.test");
        Instant expires = clock.instant().plus(Duration.ofDays(12)).plusSeconds(60);
        alerts.expiring("client secret of app 8a1f", expires, clock.instant());
        alerts.expiring("client secret of app 8a1f", expires, clock.instant().plusSeconds(60));
        assertEquals(1, throughPool.size());
        Message notice = throughPool.get(0);
        assertEquals("[m365-mail] NOTICE: client secret of app 8a1f of mail/Office365: notifications@contoso.test "
                + "over Microsoft Graph expires in 12 days", notice.getSubject());
        assertTrue(((String) notice.getContent()).contains("no redeployment is needed"));
    }
}
