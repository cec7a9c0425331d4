package org.m365mail.monitor;

import org.m365mail.api.MailSendException;

import java.time.Duration;
import java.time.Instant;

/**
 * What the parts of a send tell the pool's monitor as they go: the transports (a retry), the sending policy (a wait)
 * and the token source (a request, its outcome). Calls return at once and never throw.
 */
public interface SendEvents {

    /** Tells nothing; for parts used without a pool (tests, the benchmark's raw paths). */
    SendEvents NONE = new SendEvents() {
    };

    /** A request (a Graph call, an SMTP transaction) is sent again after a fault, a deferral or throttling. */
    default void retried() {
    }

    /** A send waited {@code waited} for the mailbox's pace, a free slot, or the service's {@code Retry-After}. */
    default void throttled(Duration waited) {
    }

    /**
     * A token is being requested from Entra ID.
     *
     * @param refresh whether ahead of expiry, with the current token still in use
     */
    default void tokenRequested(boolean refresh) {
    }

    /** A token was obtained (fetched, or found valid in the cache when asked). */
    default void tokenObtained() {
    }

    /**
     * No token could be had.
     *
     * @param failure      why, naming what to fix
     * @param servingUntil until when the previous token stays in use (a failed refresh, a replaced certificate that
     *                     Entra refuses), or {@code null} when sends fail now
     */
    default void tokenFailed(MailSendException failure, Instant servingUntil) {
    }

    /**
     * A credential's expiry, as checked (at start, daily, and when the credential changes).
     *
     * @param kind       which credential: {@code client secret} or {@code certificate}
     * @param credential what it is, e.g. {@code client secret} or {@code certificate CN=mailer (certificatePath)}
     * @param expires    when
     * @param warning    whether within the warning time (or expired): then the administrator is told
     */
    default void expiry(String kind, String credential, Instant expires, boolean warning) {
    }
}
