package org.m365mail.admin;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the console derives from a factory's counts and its credentials' expiry. */
class CountsAndExpiryTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void aCredentialHasTheWholeDaysLeftUntilItExpiresAndNegativeOnesAfter() {
        CredentialExpiry expiry = new CredentialExpiry("client secret", NOW.plus(Duration.ofDays(9)).plusSeconds(3600),
                true);
        assertEquals(9, expiry.daysLeft(NOW));
        assertEquals(0, expiry.daysLeft(NOW.plus(Duration.ofDays(9))), "expires later today");
        assertEquals(-2, expiry.daysLeft(NOW.plus(Duration.ofDays(11)).plusSeconds(3600)));
    }

    @Test
    void theFailedTotalAddsEveryReason() {
        MetricsSnapshot snapshot = new MetricsSnapshot(10, Map.of("authentication", 2L, "rejected", 3L, "other", 0L),
                1, 0, Duration.ZERO, 1, 0, Duration.ofSeconds(1), Duration.ofMillis(300));
        assertEquals(5, snapshot.failedTotal());
        assertEquals(0, new MetricsSnapshot(0, Map.of(), 0, 0, Duration.ZERO, 0, 0, Duration.ZERO, Duration.ZERO)
                .failedTotal());
    }
}
