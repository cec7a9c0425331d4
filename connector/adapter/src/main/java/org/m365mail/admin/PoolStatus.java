package org.m365mail.admin;

import java.time.Instant;
import java.util.List;

/**
 * Whether a connection factory can send now, as its readiness check reports it: {@code DOWN} with the reason when Entra
 * refuses its credentials (or no token can be had), or when its sends have kept failing for
 * {@code unhealthyAfterSeconds}; {@code UP} otherwise, and again once it works.
 *
 * @param up          whether the factory can send
 * @param reason      why not (what failed and what to fix; never a secret), or {@code null} when up
 * @param since       when the current state began, or {@code null} when nothing has happened yet
 * @param lastSuccess the last message sent or token obtained, or {@code null}
 * @param lastFailure what failed last (pool-wide failures only) and what to fix, or {@code null}
 * @param expiries    the factory's secret and certificate with their expiry, soonest first
 */
public record PoolStatus(boolean up, String reason, Instant since, Instant lastSuccess, String lastFailure,
                         List<CredentialExpiry> expiries) {

    /** @return {@code UP} or {@code DOWN} */
    public String state() {
        return up ? "UP" : "DOWN";
    }

    /** @return whether nothing has happened yet: no send, no token, no failure (UP only because nothing failed) */
    public boolean unused() {
        return up && since == null && lastSuccess == null && lastFailure == null;
    }
}
