package org.m365mail.admin;

import java.time.Duration;
import java.time.Instant;

/**
 * A secret or certificate a connection factory signs in with, and when it stops working.
 *
 * @param credential what it is, e.g. {@code client secret} or {@code certificate CN=mailer (certificatePath)}
 * @param expires    when it expires
 * @param warning    whether it expires within {@code expiryWarningDays} (or has expired)
 */
public record CredentialExpiry(String credential, Instant expires, boolean warning) {

    /** @return whole days left at {@code now}; negative once expired */
    public long daysLeft(Instant now) {
        return Duration.between(now, expires).toDays();
    }
}
