package org.m365mail.alert;

import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The texts of alerts and notices, composed without sending anything. */
class AlertMailTest {

    private static final String POOL = "mail/Office365: notifications@contoso.test over Microsoft Graph";
    /** Not on a whole second: the texts give times to the second. */
    private static final Instant AT = Instant.parse("2026-03-01T10:15:30.250Z");

    private static AlertMail failure(boolean poolWide, long suppressed, Instant since) {
        return AlertMail.failure(POOL, "connectivity", poolWide, "Cannot reach Microsoft Graph", AT, since,
                suppressed, "Check the network path", Duration.ofMinutes(60), "app01.contoso.test");
    }

    @Test
    void aFirstFailureSaysWhenToTheSecondAndCountsNothingHeldBack() {
        AlertMail alert = failure(true, 0, null);
        assertEquals("ALERT", alert.kind());
        assertEquals("[m365-mail] ALERT: connectivity failing for " + POOL, alert.subjectLine());
        assertTrue(alert.body().contains("Time:     2026-03-01T10:15:30Z\n"), alert.body());
        assertFalse(alert.body().contains("more connectivity failures"), alert.body());
        assertTrue(alert.body().contains("connector on app01.contoso.test reports a failure"), alert.body());
        assertTrue(alert.body().contains("Fix:      Check the network path\n"), alert.body());
        assertTrue(alert.body().contains("No other alert of this kind is sent for 60 minutes"), alert.body());
    }

    @Test
    void aLaterFailureCountsWhatWasHeldBackSinceWhen() {
        AlertMail alert = failure(true, 4, Instant.parse("2026-03-01T09:20:05.900Z"));
        assertTrue(alert.body().contains("Time:     2026-03-01T10:15:30Z (4 more connectivity failures since the "
                + "last alert, the first at 2026-03-01T09:20:05Z)\n"), alert.body());
    }

    @Test
    void aHeldBackCountWithoutAFirstTimeSaysSoWithADash() {
        assertTrue(failure(true, 1, null).body().contains("the first at -)"));
    }

    @Test
    void aPoolWideFailurePromisesANoticeOnRecoveryAndAMessageLevelOneDoesNot() {
        AlertMail poolWide = failure(true, 0, null);
        assertTrue(poolWide.body().contains("Messages of this pool are not being sent."), poolWide.body());
        assertTrue(poolWide.body().contains("(alertIntervalMinutes); a notice follows when the pool works again."),
                poolWide.body());
        AlertMail one = failure(false, 0, null);
        assertEquals("[m365-mail] ALERT: connectivity failure in " + POOL, one.subjectLine());
        assertTrue(one.body().contains("One message was not sent; the pool sends other messages."), one.body());
        assertTrue(one.body().contains("(alertIntervalMinutes).\n"), one.body());
        assertFalse(one.body().contains("a notice follows"), one.body());
    }

    @Test
    void aRecoverySaysHowLongAndHowOftenItFailed() {
        AlertMail recovery = AlertMail.recovery(POOL, "authentication", AT.minusSeconds(300), 12, AT, "app01");
        assertEquals("[m365-mail] RECOVERED: " + POOL + " sends again", recovery.subjectLine());
        assertTrue(recovery.body().contains("Recovered: 2026-03-01T10:15:30Z\n"), recovery.body());
        assertTrue(recovery.body().contains("Failing:   authentication since 2026-03-01T10:10:30Z (12 failed "
                + "attempts; 300 s)"), recovery.body());
    }

    @Test
    void aSecretThatExpiresInDaysIsNoticedWithTheDaysLeftAndHowToRenewIt() {
        AlertMail notice = AlertMail.expiry(POOL, "client secret of app 8a1f", AT.plus(Duration.ofDays(12)), AT,
                "app01");
        assertEquals("[m365-mail] NOTICE: client secret of app 8a1f of " + POOL + " expires in 12 days",
                notice.subjectLine());
        assertTrue(notice.body().contains("signs in with a credential that expires soon."), notice.body());
        assertTrue(notice.body().contains("Expires:    expires on 2026-03-13T10:15:30Z (in 12 days)"),
                notice.body());
        assertTrue(notice.body().contains("Create a new client secret under Certificates"), notice.body());
    }

    @Test
    void aCredentialExpiringLaterTodayStillExpiresInZeroDays() {
        AlertMail notice = AlertMail.expiry(POOL, "client secret", AT.plus(Duration.ofHours(5)), AT, "app01");
        assertTrue(notice.subjectLine().endsWith("expires in 0 days"), notice.subjectLine());
        assertTrue(notice.body().contains("(in 0 days)"), notice.body());
        assertFalse(notice.body().contains("has expired"), notice.body());
    }

    @Test
    void anExpiredCertificateIsNoticedAsExpiredWithHowToReplaceIt() {
        AlertMail notice = AlertMail.expiry(POOL, "certificate CN=mailer (certificatePath)",
                AT.minus(Duration.ofDays(3)), AT, "app01");
        assertEquals("[m365-mail] NOTICE: certificate CN=mailer (certificatePath) of " + POOL + " has expired",
                notice.subjectLine());
        assertTrue(notice.body().contains("signs in with a credential that has expired."), notice.body());
        assertTrue(notice.body().contains("Expires:    expired on 2026-02-26T10:15:30Z\n"), notice.body());
        assertTrue(notice.body().contains("Create a new certificate under Certificates"), notice.body());
    }

    @Test
    void everySecretOfFourCharactersOrMoreIsMaskedInSubjectAndBody() {
        AlertMail alert = new AlertMail("ALERT", "refused abcd and s3cr3t-value", "the secret s3cr3t-value and abcd, "
                + "not abc");
        AlertMail masked = alert.masking(Arrays.asList("s3cr3t-value", null, "abcd", "abc"));
        assertEquals("refused **** and ****", masked.subject());
        assertEquals("the secret **** and ****, not abc", masked.body(), "shorter values would mask ordinary words");
        assertEquals("ALERT", masked.kind());
    }

    @Test
    void theLogEntryIsOneLine() {
        AlertMail alert = new AlertMail("ALERT", "x failing", "\nFirst line.\n\n  Pool:  p  \nFix: y\n");
        assertEquals("[m365-mail] ALERT: x failing | First line. | Pool:  p | Fix: y", alert.logText());
    }

    @Test
    void theMessageIsMarkedAutomaticAndAsAnAlertOfItsKind() throws Exception {
        AlertMail alert = AlertMail.recovery(POOL, "connectivity", AT.minusSeconds(60), 2, AT, "app01");
        Message message = alert.toMessage(List.of(new InternetAddress("ops@contoso.test")));
        assertEquals(alert.subjectLine(), message.getSubject());
        assertArrayEquals(new InternetAddress[]{new InternetAddress("ops@contoso.test")},
                message.getRecipients(Message.RecipientType.TO));
        assertArrayEquals(new String[]{"auto-generated"}, message.getHeader("Auto-Submitted"));
        assertArrayEquals(new String[]{"RECOVERED"}, message.getHeader("X-M365Mail-Alert"));
        assertEquals(alert.body(), message.getContent());
    }
}
