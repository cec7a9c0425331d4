package org.m365mail.config;

import jakarta.mail.internet.InternetAddress;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * How the factory is watched and who is told: the alert addresses, their interval and fallback pool, when the pool is
 * reported not ready, and how far ahead an expiring secret or certificate is announced.
 */
final class OperationRules {

    private OperationRules() {
    }

    static MailSettings.Operations check(MailProperties p, Problems problems) {
        List<InternetAddress> alertAddresses = problems.addresses("alertAddress", p.getAlertAddress());
        int intervalMinutes = problems.atLeast("alertIntervalMinutes", p.getAlertIntervalMinutes(),
                PropertyDefaults.ALERT_INTERVAL_MINUTES, 1);
        String fallback = Problems.trim(p.getAlertFallbackFactory());
        if (fallback != null && !JndiNames.isGlobal(fallback)) {
            problems.add(JndiNames.problem("alertFallbackFactory", fallback,
                    "another connection factory of this connector (e.g. mail/Alerts)"));
            fallback = null;
        }
        if (fallback != null && alertAddresses.isEmpty()) {
            problems.add("alertFallbackFactory is set but alertAddress is not: name who receives the alerts");
        }
        int unhealthyAfter = problems.atLeast("unhealthyAfterSeconds", p.getUnhealthyAfterSeconds(),
                PropertyDefaults.UNHEALTHY_AFTER_SECONDS, 0);
        int warningDays = problems.atLeast("expiryWarningDays", p.getExpiryWarningDays(),
                PropertyDefaults.EXPIRY_WARNING_DAYS, 1);
        return new MailSettings.Operations(alertAddresses, Duration.ofMinutes(intervalMinutes), fallback,
                Duration.ofSeconds(unhealthyAfter), Duration.ofDays(warningDays));
    }

    /**
     * When the client secret expires, as the app registration's Certificates &amp; secrets page shows it: a date
     * ({@code 2027-06-30}, taken as the start of that day in UTC, so the warning is never late) or an instant
     * ({@code 2027-06-30T14:05:00Z}).
     */
    static Instant clientSecretExpires(MailProperties p, boolean hasSecret, Problems problems) {
        String value = Problems.trim(p.getClientSecretExpires());
        if (value == null) {
            return null;
        }
        if (!hasSecret) {
            problems.add("clientSecretExpires is set but clientSecret is not: remove it, or set the secret it belongs "
                    + "to");
            return null;
        }
        try {
            return value.length() <= 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            problems.add("clientSecretExpires must be the secret's expiry date as yyyy-MM-dd, e.g. 2027-06-30, from "
                    + "the Expires column of Certificates & secrets (was '" + value + "')");
            return null;
        }
    }
}
