package org.m365mail.monitor;

import org.junit.jupiter.api.Test;
import org.m365mail.admin.LastFailure;
import org.m365mail.admin.PoolStatus;
import org.m365mail.api.MailSendException;
import org.m365mail.testing.ManualClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the monitor tells the console and the alerts beyond UP and DOWN: names, details, times. */
class PoolMonitorDetailsTest {

    private final ManualClock clock = new ManualClock();
    private final PoolMonitor monitor = new PoolMonitor("notifications@contoso.test over Microsoft Graph",
            Duration.ofSeconds(120), clock);
    private final List<String> details = new ArrayList<>();

    PoolMonitorDetailsTest() {
        monitor.addObserver(new PoolObserver() {
            @Override
            public void failed(FailureReason reason, String detail, Instant at) {
                details.add(detail);
            }

            @Override
            public void recovered(FailureReason reason, Instant since, long failures, Instant at) {
            }

            @Override
            public void expiring(String credential, Instant expires, Instant at) {
            }
        });
    }

    private static final MailSendException REFUSED = new MailSendException(
            "Entra ID refused the token request (AADSTS7000215)", "AADSTS7000215", null);
    /** The failure's text as the alerts get it (the exception adds its code). */
    private static final String REFUSED_TEXT = REFUSED.getMessage();

    @Test
    void thePoolIsDescribedByTheNamesItIsKnownBySorted() {
        assertEquals("notifications@contoso.test over Microsoft Graph", monitor.description());
        monitor.knownAs("mail/Office365");
        monitor.knownAs("java:app/mail/Alerts");
        monitor.knownAs("mail/Office365");
        assertEquals("java:app/mail/Alerts, mail/Office365: notifications@contoso.test over Microsoft Graph",
                monitor.description());
        assertEquals("PoolMonitor[java:app/mail/Alerts, mail/Office365: notifications@contoso.test over Microsoft "
                + "Graph]", monitor.toString());
    }

    @Test
    void aFailedRefreshTellsUntilWhenTheCurrentTokenServes() {
        Instant until = clock.instant().plusSeconds(900);
        monitor.tokenFailed(REFUSED, until);
        assertEquals(List.of(REFUSED_TEXT + " Sends go on with the current token until " + until
                + "; fix this before then."), details);
        assertNull(monitor.lastFailure(), "nothing stops now");
    }

    @Test
    void aTokenThatCannotBeHadIsTheLastFailureWithWhenAndWhatToDo() {
        Instant at = clock.instant();
        monitor.tokenFailed(REFUSED, null);
        assertEquals(List.of(REFUSED_TEXT), details);
        assertEquals(new LastFailure(at, "authentication", REFUSED_TEXT, FailureReason.AUTHENTICATION.fix()),
                monitor.lastFailure());
        PoolStatus status = monitor.status();
        assertEquals(at, status.since());
        assertEquals(REFUSED_TEXT, status.lastFailure());
    }

    @Test
    void anInterruptedTokenRequestIsNoFailureOfThePool() {
        monitor.tokenFailed(new MailSendException("Interrupted"), null);
        assertTrue(monitor.status().up());
        assertEquals(List.of(), details);
    }

    @Test
    void aSendAfterAFailureIsTheLastSuccessAndTheStartOfTheUpState() {
        monitor.failed(new MailSendException("Cannot reach Microsoft Graph", "GraphUnreachable", null));
        clock.advance(Duration.ofSeconds(30));
        Instant sentAt = clock.instant();
        monitor.sent(Duration.ofMillis(50));
        PoolStatus status = monitor.status();
        assertEquals(sentAt, status.lastSuccess());
        assertEquals(sentAt, status.since());
        assertNull(status.lastFailure());
        assertFalse(status.unused());
    }

    @Test
    void theReadinessProbeIsDueAtMostEveryTenSeconds() {
        assertTrue(monitor.probeDue());
        assertFalse(monitor.probeDue());
        clock.advance(Duration.ofSeconds(10));
        assertTrue(monitor.probeDue());
    }
}
