package org.m365mail.monitor;

import org.junit.jupiter.api.Test;
import org.m365mail.admin.MetricsObserver;
import org.m365mail.admin.MetricsSnapshot;
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

class PoolMonitorTest {

    private final ManualClock clock = new ManualClock();
    private final PoolMonitor monitor = new PoolMonitor("notifications@contoso.test over Microsoft Graph",
            Duration.ofSeconds(120), clock);
    private final List<String> told = new ArrayList<>();

    PoolMonitorTest() {
        monitor.addObserver(new PoolObserver() {
            @Override
            public void failed(FailureReason reason, String detail, Instant at) {
                told.add("failed " + reason.tag());
            }

            @Override
            public void recovered(FailureReason reason, Instant since, long failures, Instant at) {
                told.add("recovered " + reason.tag() + " after " + failures);
            }

            @Override
            public void expiring(String credential, Instant expires, Instant at) {
                told.add("expiring " + credential);
            }
        });
    }

    private static MailSendException refused() {
        return new MailSendException("Entra ID refused the token request (AADSTS7000215): Invalid client secret",
                "AADSTS7000215", null);
    }

    @Test
    void aRefusedTokenIsDownAtOnceWithTheReasonAndUpWhenATokenComes() {
        assertTrue(monitor.status().up());
        monitor.tokenFailed(refused(), null);
        PoolStatus down = monitor.status();
        assertFalse(down.up());
        assertTrue(down.reason().startsWith("authentication: Entra ID refused"), down.reason());
        monitor.tokenObtained();
        PoolStatus up = monitor.status();
        assertTrue(up.up());
        assertNull(up.reason());
        assertEquals(List.of("failed authentication", "recovered authentication after 1"), told);
    }

    @Test
    void aFailedRefreshWithAValidTokenAlertsButStaysUp() {
        monitor.tokenFailed(refused(), clock.instant().plusSeconds(900));
        assertTrue(monitor.status().up(), "sends go on with the current token");
        assertEquals(List.of("failed authentication"), told);
    }

    @Test
    void failingSendsAreDownOnlyAfterUnhealthyAfterAndUpAfterASend() {
        MailSendException unreachable = new MailSendException("Cannot reach Microsoft Graph", "GraphUnreachable",
                null);
        monitor.failed(unreachable);
        clock.advance(Duration.ofSeconds(119));
        monitor.failed(unreachable);
        assertTrue(monitor.status().up(), "two minutes have not passed");
        clock.advance(Duration.ofSeconds(1));
        PoolStatus down = monitor.status();
        assertFalse(down.up());
        assertTrue(down.reason().contains("2 failures, none sent"), down.reason());
        monitor.sent(Duration.ofMillis(80));
        assertTrue(monitor.status().up());
        assertEquals(List.of("failed connectivity", "failed connectivity", "recovered connectivity after 2"), told);
    }

    @Test
    void aRefusedMessageSaysNothingOfThePoolButIsToldAndCounted() {
        monitor.failed(new MailSendException("Recipient 'x@localhost' is not resolved", "ErrorInvalidRecipients",
                null));
        clock.advance(Duration.ofHours(1));
        assertTrue(monitor.status().up());
        assertEquals(List.of("failed rejected"), told);
        assertEquals(1, monitor.metrics().snapshot().failed().get("rejected"));
    }

    @Test
    void aMissingPermissionIsNotEndedByAToken() {
        monitor.setupFailed(new MailSendException("The token has no Mail.Send role", "PermissionMissing", null));
        monitor.tokenObtained();
        assertFalse(monitor.status().up(), "a token without the role is no fix");
        monitor.credentialsVerified();
        assertTrue(monitor.status().up());
        assertEquals(List.of("failed permission", "recovered permission after 1"), told);
    }

    @Test
    void countsAreToldToObserversAndKeptInTheSnapshot() throws Exception {
        List<String> events = new ArrayList<>();
        AutoCloseable subscription = monitor.observe(new MetricsObserver() {
            @Override
            public void sent(Duration took) {
                events.add("sent " + took.toMillis());
            }

            @Override
            public void failed(String reason) {
                events.add("failed " + reason);
            }

            @Override
            public void tokenRequested(boolean refresh) {
                events.add(refresh ? "refresh" : "token");
            }
        });
        monitor.tokenRequested(false);
        monitor.sent(Duration.ofMillis(40));
        monitor.sent(Duration.ofMillis(60));
        monitor.retried();
        monitor.throttled(Duration.ofMillis(500));
        monitor.tokenRequested(true);
        monitor.failed(new MailSendException("closed", "ConnectionClosedByPool", null));
        subscription.close();
        monitor.sent(Duration.ofMillis(10));
        assertEquals(List.of("token", "sent 40", "sent 60", "refresh", "failed closed"), events);
        MetricsSnapshot s = monitor.metrics().snapshot();
        assertEquals(3, s.sent());
        assertEquals(1, s.failedTotal());
        assertEquals(1, s.retried());
        assertEquals(1, s.throttledWaits());
        assertEquals(Duration.ofMillis(500), s.throttledTime());
        assertEquals(2, s.tokenRequests());
        assertEquals(1, s.tokenRefreshes());
        assertEquals(Duration.ofMillis(110), s.sendTime());
        assertEquals(Duration.ofMillis(60), s.longestSend());
        assertEquals(List.of(), told, "a connection the pool closed is no failure to tell");
    }

    @Test
    void expiriesAreKeptAndOnlyNearOnesTold() {
        monitor.expiry("client secret", "client secret of app x", clock.instant().plus(Duration.ofDays(300)), false);
        monitor.expiry("certificate", "certificate CN=mailer (certificatePath)",
                clock.instant().plus(Duration.ofDays(9)), true);
        PoolStatus status = monitor.status();
        assertEquals(2, status.expiries().size());
        assertEquals("certificate CN=mailer (certificatePath)", status.expiries().get(0).credential(), "soonest first");
        assertEquals(9, status.expiries().get(0).daysLeft(clock.instant()));
        assertEquals(List.of("expiring certificate CN=mailer (certificatePath)"), told);
    }
}
