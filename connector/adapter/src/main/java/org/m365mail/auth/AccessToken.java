package org.m365mail.auth;

import java.time.Instant;

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

    @Override
    public String toString() {
        return "AccessToken[****, acquiredAt=" + acquiredAt + ", expiresAt=" + expiresAt + "]";
    }
}
