package org.m365mail.admin;

import java.time.Instant;

/**
 * The access token a connection factory holds now, as far as it can be told without the token itself.
 *
 * @param present    whether the factory holds a token (none before the first send or check, none with a password)
 * @param acquiredAt when it was obtained, or {@code null}
 * @param expiresAt  when it expires, or {@code null}; the connector renews it before then in the background
 * @param requests   how many tokens the factory asked Entra for since it was made
 * @param refreshes  how many of those renewed a token ahead of its expiry
 */
public record TokenState(boolean present, Instant acquiredAt, Instant expiresAt, long requests, long refreshes) {
}
