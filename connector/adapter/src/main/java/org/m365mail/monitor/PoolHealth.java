package org.m365mail.monitor;

import org.m365mail.admin.LastFailure;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether a pool can send, from what happened to it: DOWN at once when no token can be had (or the token lacks the
 * permission the transport needs), DOWN when pool-wide failures have gone on for {@code unhealthyAfter} with no
 * success between, UP otherwise. Message-level failures (a refused recipient) say nothing about the pool.
 */
final class PoolHealth {

    /** A run of pool-wide failures with no success between; what ended is reported as a recovery. */
    record Episode(FailureReason reason, Instant since, String lastDetail, long failures) {
        Episode plus(FailureReason newReason, String detail) {
            return new Episode(newReason, since, detail, failures + 1);
        }
    }

    /** What stops every send now: no token, or a token without the needed permission. */
    private record Blocking(FailureReason reason, String detail, Instant at, boolean clearedByToken) {
    }

    private static final Duration PROBE_EVERY = Duration.ofSeconds(10);

    private final Duration unhealthyAfter;
    private volatile Blocking blocking;
    private Episode episode;
    private Instant since;
    private Instant lastSuccess;
    private Instant lastProbe;
    private FailureReason lastFailureReason;
    private Instant lastFailureAt;

    PoolHealth(Duration unhealthyAfter) {
        this.unhealthyAfter = unhealthyAfter;
    }

    /** A pool-wide failure; returns the episode it belongs to. */
    synchronized Episode failed(FailureReason reason, String detail, Instant at) {
        episode = episode == null ? new Episode(reason, at, detail, 1) : episode.plus(reason, detail);
        lastFailureReason = reason;
        lastFailureAt = at;
        return episode;
    }

    /** Sends stop now: {@code clearedByToken} when a token obtained later ends it (not a missing permission). */
    synchronized void blocked(FailureReason reason, String detail, Instant at, boolean clearedByToken) {
        if (blocking == null) {
            since = at;
        }
        blocking = new Blocking(reason, detail, at, clearedByToken);
        lastFailureReason = reason;
        lastFailureAt = at;
    }

    /** A message went out: whatever failed before has ended; returns the episode that ended, or {@code null}. */
    synchronized Episode succeeded(Instant at) {
        lastSuccess = at;
        Episode ended = episode;
        if (ended != null || blocking != null) {
            since = at;
        }
        episode = null;
        blocking = null;
        return ended;
    }

    boolean isBlocked() {
        return blocking != null;
    }

    /** A token was obtained: ends a blocking failure of authentication (not a missing permission). */
    Episode tokenObtained(Instant at) {
        Blocking b = blocking;
        if (b == null || !b.clearedByToken()) {
            return null;
        }
        return credentialsVerified(at);
    }

    /** The credentials and their permissions were checked and are good: ends blocking and authentication failures. */
    synchronized Episode credentialsVerified(Instant at) {
        lastSuccess = at;
        Episode ended = null;
        if (episode != null && (episode.reason() == FailureReason.AUTHENTICATION
                || episode.reason() == FailureReason.PERMISSION)) {
            ended = episode;
            episode = null;
        }
        if (blocking != null) {
            blocking = null;
            since = at;
        }
        return ended;
    }

    /** Whether the readiness check should ask for a token now (at most every 10 s); marks it asked. */
    synchronized boolean probeDue(Instant now) {
        if (lastProbe != null && now.isBefore(lastProbe.plus(PROBE_EVERY))) {
            return false;
        }
        lastProbe = now;
        return true;
    }

    /** Why the pool cannot send at {@code now}, or {@code null} when it can. */
    synchronized String reason(Instant now) {
        Blocking b = blocking;
        if (b != null) {
            return b.reason().tag() + ": " + b.detail();
        }
        if (episode != null && !now.isBefore(episode.since().plus(unhealthyAfter))) {
            return episode.reason().tag() + ": sends have failed since " + episode.since() + " (" + episode.failures()
                    + " failures, none sent): " + episode.lastDetail();
        }
        return null;
    }

    synchronized Instant since() {
        return since;
    }

    synchronized Instant lastSuccess() {
        return lastSuccess;
    }

    /** The last pool-wide failure still unresolved, or {@code null}. */
    synchronized String lastFailure() {
        Blocking b = blocking;
        if (b != null) {
            return b.detail();
        }
        return episode == null ? null : episode.lastDetail();
    }

    /** The last pool-wide failure still unresolved, with when and what to do, or {@code null}. */
    synchronized LastFailure lastFailureRecord() {
        String detail = lastFailure();
        if (detail == null || lastFailureReason == null) {
            return null;
        }
        return new LastFailure(lastFailureAt, lastFailureReason.tag(), detail,
                lastFailureReason.fix());
    }
}
