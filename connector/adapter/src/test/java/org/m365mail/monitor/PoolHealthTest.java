package org.m365mail.monitor;

import org.junit.jupiter.api.Test;
import org.m365mail.admin.LastFailure;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pool's health as its events make it, read without the monitor around it. */
class PoolHealthTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final PoolHealth health = new PoolHealth(Duration.ofSeconds(120));

    @Test
    void aNewPoolIsUpUnblockedAndHasNoHistory() {
        assertFalse(health.isBlocked());
        assertNull(health.reason(T0));
        assertNull(health.since());
        assertNull(health.lastSuccess());
        assertNull(health.lastFailure());
        assertNull(health.lastFailureRecord());
    }

    @Test
    void failuresOfOneRunMakeOneEpisodeThatCountsThemAndKeepsTheLatestReasonAndDetail() {
        PoolHealth.Episode first = health.failed(FailureReason.CONNECTIVITY, "unreachable", T0);
        assertEquals(new PoolHealth.Episode(FailureReason.CONNECTIVITY, T0, "unreachable", 1), first);
        PoolHealth.Episode second = health.failed(FailureReason.THROTTLING, "throttled", T0.plusSeconds(5));
        assertEquals(new PoolHealth.Episode(FailureReason.THROTTLING, T0, "throttled", 2), second,
                "the run began with the first failure");
        assertEquals("throttled", health.lastFailure());
        assertFalse(health.isBlocked(), "failed sends do not block the pool");
    }

    @Test
    void aSuccessEndsTheEpisodeAndStartsANewStateOnlyAfterAFailure() {
        health.succeeded(T0);
        assertEquals(T0, health.lastSuccess());
        assertNull(health.since(), "sending from the start is no change of state");
        health.failed(FailureReason.CONNECTIVITY, "unreachable", T0.plusSeconds(10));
        PoolHealth.Episode ended = health.succeeded(T0.plusSeconds(20));
        assertEquals(1, ended.failures());
        assertEquals(T0.plusSeconds(20), health.since(), "up again since then");
        assertEquals(T0.plusSeconds(20), health.lastSuccess());
        assertNull(health.lastFailure(), "resolved");
        assertNull(health.lastFailureRecord());
        assertNull(health.succeeded(T0.plusSeconds(30)), "nothing ended this time");
        assertEquals(T0.plusSeconds(20), health.since());
    }

    @Test
    void aSuccessEndsABlockingFailureToo() {
        health.blocked(FailureReason.PERMISSION, "no Mail.Send role", T0, false);
        assertNull(health.succeeded(T0.plusSeconds(30)), "a blocking without failed sends is no episode");
        assertFalse(health.isBlocked());
        assertNull(health.reason(T0.plusSeconds(30)));
        assertEquals(T0.plusSeconds(30), health.since());
    }

    @Test
    void aBlockedPoolIsDownAtOnceSinceTheFirstBlockingWithTheLatestDetail() {
        health.blocked(FailureReason.AUTHENTICATION, "secret refused", T0, true);
        health.blocked(FailureReason.AUTHENTICATION, "secret still refused", T0.plusSeconds(60), true);
        assertTrue(health.isBlocked());
        assertEquals("authentication: secret still refused", health.reason(T0.plusSeconds(60)));
        assertEquals(T0, health.since(), "down since it was first blocked");
        assertEquals("secret still refused", health.lastFailure());
        assertEquals(new LastFailure(T0.plusSeconds(60), "authentication", "secret still refused",
                FailureReason.AUTHENTICATION.fix()), health.lastFailureRecord());
    }

    @Test
    void failingSendsAreDownFromUnhealthyAfterOn() {
        health.failed(FailureReason.CONNECTIVITY, "unreachable", T0);
        health.failed(FailureReason.CONNECTIVITY, "still unreachable", T0.plusSeconds(60));
        assertNull(health.reason(T0.plusSeconds(119)));
        assertEquals("connectivity: sends have failed since " + T0 + " (2 failures, none sent): still unreachable",
                health.reason(T0.plusSeconds(120)));
        assertEquals(new LastFailure(T0.plusSeconds(60), "connectivity", "still unreachable",
                FailureReason.CONNECTIVITY.fix()), health.lastFailureRecord());
    }

    @Test
    void aTokenEndsAnAuthenticationBlockingButNotAMissingPermission() {
        health.blocked(FailureReason.PERMISSION, "no Mail.Send role", T0, false);
        assertNull(health.tokenObtained(T0.plusSeconds(1)));
        assertTrue(health.isBlocked());
        health.blocked(FailureReason.AUTHENTICATION, "secret refused", T0.plusSeconds(2), true);
        health.failed(FailureReason.AUTHENTICATION, "secret refused", T0.plusSeconds(2));
        PoolHealth.Episode ended = health.tokenObtained(T0.plusSeconds(3));
        assertEquals(FailureReason.AUTHENTICATION, ended.reason());
        assertFalse(health.isBlocked());
        assertEquals(T0.plusSeconds(3), health.since());
        assertEquals(T0.plusSeconds(3), health.lastSuccess());
    }

    @Test
    void aTokenWithNothingBlockingEndsNothing() {
        health.failed(FailureReason.AUTHENTICATION, "secret refused", T0);
        assertNull(health.tokenObtained(T0.plusSeconds(1)));
        assertNull(health.lastSuccess(), "nothing was verified");
    }

    @Test
    void verifiedCredentialsEndAuthenticationAndPermissionEpisodesButNotOthers() {
        health.failed(FailureReason.CONNECTIVITY, "unreachable", T0);
        assertNull(health.credentialsVerified(T0.plusSeconds(1)), "a token says nothing of the way to Graph");
        assertEquals("unreachable", health.lastFailure());
        PoolHealth permission = new PoolHealth(Duration.ofSeconds(120));
        PoolHealth.Episode episode = permission.failed(FailureReason.PERMISSION, "no role", T0);
        assertSame(episode, permission.credentialsVerified(T0.plusSeconds(1)));
        assertNull(permission.lastFailure());
    }

    @Test
    void theReadinessProbeAsksForATokenAtMostEveryTenSeconds() {
        assertTrue(health.probeDue(T0));
        assertFalse(health.probeDue(T0), "just asked");
        assertFalse(health.probeDue(T0.plusMillis(9_999)));
        assertTrue(health.probeDue(T0.plusSeconds(10)));
        assertFalse(health.probeDue(T0.plusSeconds(19)), "counted from the last probe, not the first");
        assertTrue(health.probeDue(T0.plusSeconds(20)));
    }
}
