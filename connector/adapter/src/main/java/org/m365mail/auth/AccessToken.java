package org.m365mail.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * An OAuth 2.0 access token and its lifetime. {@link #toString()} never shows the token.
 *
 * @param value      the bearer token
 * @param acquiredAt when it was obtained
 * @param expiresAt  when it stops being accepted
 */
public record AccessToken(String value, Instant acquiredAt, Instant expiresAt) {

    /** Whether the token still has more than {@code margin} of its life left at {@code now}. */
    public boolean isFreshAt(Instant now, java.time.Duration margin) {
        return now.plus(margin).isBefore(expiresAt);
    }

    /*
     * Written out rather than generated: a record's generated equals() and hashCode() leave its class in a JDK-wide
     * method handle cache on Java 17 (JDK-8078641), which would keep an undeployed RAR's class loader.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof AccessToken t && value.equals(t.value) && acquiredAt.equals(t.acquiredAt)
                && expiresAt.equals(t.expiresAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, acquiredAt, expiresAt);
    }

    @Override
    public String toString() {
        return "AccessToken[****, acquiredAt=" + acquiredAt + ", expiresAt=" + expiresAt + "]";
    }
}
