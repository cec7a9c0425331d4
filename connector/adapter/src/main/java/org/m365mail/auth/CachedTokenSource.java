package org.m365mail.auth;

import org.m365mail.api.MailSendException;
import org.m365mail.monitor.SendEvents;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps one token and shares it with every caller, so that however many threads send, there is one token request
 * per lifetime.
 *
 * <ul>
 *   <li><b>Single flight:</b> at most one request for a new token is under way at a time; callers that need one wait
 *       for it instead of asking Entra themselves.
 *   <li><b>Early, background refresh:</b> once a token has less than a quarter of its life left (at most 15 minutes),
 *       callers still get it at once while one background request fetches the next, so no send waits on Entra.
 *   <li><b>Failure tolerance:</b> a failed background refresh keeps the still-valid token in use and is tried again
 *       with growing pauses; only when the token is about to expire (a tenth of its life, at most 5 minutes, left) do
 *       callers wait for a new one, and see the error if there is none.
 * </ul>
 *
 * <p>With a {@link SharedTokenCache} (the cluster's JCache), a token another instance fetched is used before asking
 * Entra, and each token fetched here is shared. Instances that find no token at the same moment may each fetch one.
 *
 * <p>msal4j has a token cache, but it does not coalesce concurrent misses (32 threads made 22 requests in our
 * measurement), it misses every time when the authority URL carries a port, it refreshes nothing ahead of expiry
 * ({@code refresh_in} was not acted on), and it will not cache a token with less than five minutes left. So this class
 * is the one cache the connector relies on; it asks msal4j with {@code skipCache} only when a token is due.
 */
public final class CachedTokenSource implements TokenSource {

    private static final Logger LOG = Logger.getLogger(CachedTokenSource.class.getName());
    /** Token request attempts per fetch, and the pause before the second (doubling after). */
    private static final int TOKEN_ATTEMPTS = 3;
    private static final Duration TOKEN_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_USABLE_MARGIN = Duration.ofMinutes(5);
    private static final Duration MAX_REFRESH_AHEAD = Duration.ofMinutes(15);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(5);

    private final TokenRequest request;
    private final Clock clock;
    private final String description;
    private final Executor refresher;
    private final SharedTokenCache shared;
    private final String sharedKey;
    private final SendEvents events;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile AccessToken current;
    private volatile Instant nextRefreshAttempt = Instant.MIN;
    private volatile int failedRefreshes;
    /** The credential version {@link #current} was fetched with; another means the credential changed since. */
    private volatile long currentVersion;

    /**
     * @param request     how to get a new token
     * @param clock       the time
     * @param description what the tokens are for, for log lines (no secrets)
     * @param refresher   where background refreshes run (the deployment's background threads)
     */
    public CachedTokenSource(TokenRequest request, Clock clock, String description, Executor refresher) {
        this(request, clock, description, refresher, null, null);
    }

    /**
     * @param shared    the cluster's cache, or {@code null}
     * @param sharedKey what the token is for (tenant, client, scope, user): its name in {@code shared}
     */
    public CachedTokenSource(TokenRequest request, Clock clock, String description, Executor refresher,
                             SharedTokenCache shared, String sharedKey) {
        this(request, clock, description, refresher, shared, sharedKey, SendEvents.NONE);
    }

    /**
     * @param events told of each token request and its outcome (the pool's monitor)
     */
    public CachedTokenSource(TokenRequest request, Clock clock, String description, Executor refresher,
                             SharedTokenCache shared, String sharedKey, SendEvents events) {
        this.events = events;
        this.request = request;
        this.clock = clock;
        this.description = description;
        this.refresher = refresher;
        this.shared = shared;
        this.sharedKey = sharedKey;
    }

    @Override
    public java.util.Optional<AccessToken> held() {
        return java.util.Optional.ofNullable(current);
    }

    @Override
    public AccessToken token() throws MailSendException {
        AccessToken token = current;
        Instant now = Instant.now(clock);
        if (token != null && usable(token, now)) {
            // A replaced credential (certificate file) gets its token in the background: sends go on with the
            // current one, and if Entra refuses the new credential they still go on until the current one expires.
            if (dueForRefresh(token, now) || request.credentialVersion() != currentVersion) {
                refreshInBackground(token);
            }
            events.tokenObtained();
            return token;
        }
        lock.lock();
        try {
            token = current;
            Instant locked = Instant.now(clock);
            if (token != null && usable(token, locked)) {
                events.tokenObtained();
                return token;
            }
            AccessToken fromCluster = sharedNewerThan(token, locked);
            if (fromCluster != null && usable(fromCluster, locked)) {
                current = fromCluster;
                currentVersion = request.credentialVersion();
                events.tokenObtained();
                return fromCluster;
            }
            try {
                return fetch(false);
            } catch (MailSendException e) {
                events.tokenFailed(e, null);
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A token from the shared cache that lives longer than {@code mine}, or {@code null}. */
    private AccessToken sharedNewerThan(AccessToken mine, Instant now) {
        if (shared == null) {
            return null;
        }
        AccessToken theirs = shared.get(sharedKey).orElse(null);
        if (theirs == null || !theirs.expiresAt().isAfter(now)
                || (mine != null && !theirs.expiresAt().isAfter(mine.expiresAt()))) {
            return null;
        }
        LOG.fine(() -> "M365MAIL-2004 Using the access token for " + description + " another instance fetched, valid "
                + "until " + theirs.expiresAt());
        return theirs;
    }

    private AccessToken fetch(boolean refresh) throws MailSendException {
        long version = request.credentialVersion();
        events.tokenRequested(refresh);
        AccessToken fresh = requestRidingOutBlips();
        currentVersion = version;
        if (shared != null) {
            shared.put(sharedKey, fresh);
        }
        current = fresh;
        failedRefreshes = 0;
        nextRefreshAttempt = Instant.MIN;
        LOG.fine(() -> "M365MAIL-2001 New access token for " + description + ", valid until " + fresh.expiresAt());
        events.tokenObtained();
        return fresh;
    }

    /**
     * The token request, tried again after a failure that passes: Entra answering {@code 5xx} or {@code 429}, or no
     * answer (not a TLS failure, which no retry mends). Token requests may be repeated freely. Entra's own guidance:
     * https://learn.microsoft.com/en-us/entra/msal/java/advanced/msal-error-handling-java (retry on 5xx and 429).
     */
    private AccessToken requestRidingOutBlips() throws MailSendException {
        for (int attempt = 1; ; attempt++) {
            try {
                return request.request();
            } catch (MailSendException e) {
                if (attempt >= TOKEN_ATTEMPTS || !passes(e)) {
                    throw e;
                }
                long wait = TOKEN_RETRY.toMillis() << (attempt - 1);
                int tried = attempt;
                LOG.fine(() -> "M365MAIL-2005 The token request for " + description + " failed (attempt " + tried
                        + " of " + TOKEN_ATTEMPTS + ", " + e.getErrorCode() + "); trying again in " + wait + " ms");
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static boolean passes(MailSendException e) {
        if ("EntraUnavailable".equals(e.getErrorCode())) {
            return true;
        }
        if (!"EntraUnreachable".equals(e.getErrorCode())) {
            return false;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return false;
            }
        }
        return true;
    }

    private void refreshInBackground(AccessToken stale) {
        if (Instant.now(clock).isBefore(nextRefreshAttempt) || !refreshing.compareAndSet(false, true)) {
            return;
        }
        refresher.execute(() -> {
            lock.lock();
            try {
                if (current == stale) {
                    AccessToken fromCluster = request.credentialVersion() != currentVersion ? null
                            : sharedNewerThan(stale, Instant.now(clock));
                    if (fromCluster != null && !dueForRefresh(fromCluster, Instant.now(clock))) {
                        current = fromCluster;
                    } else {
                        fetch(true);
                    }
                }
            } catch (MailSendException e) {
                events.tokenFailed(e, stale.expiresAt());
                backOff(stale, e);
            } catch (RuntimeException e) {
                backOff(stale, e);
            } finally {
                lock.unlock();
                refreshing.set(false);
            }
        });
    }

    /** After a failed background refresh: the current token stays in use, the next try waits longer each time. */
    private void backOff(AccessToken stale, Exception e) {
        int failures = ++failedRefreshes;
        Duration pause = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 6));
        nextRefreshAttempt = Instant.now(clock).plus(pause);
        LOG.log(failures == 1 ? Level.WARNING : Level.FINE, "M365MAIL-2003 Refreshing the access token for "
                + description + " failed; the current token stays in use until " + stale.expiresAt()
                + " and the refresh is tried again in " + pause.toSeconds() + " s: " + e.getMessage());
    }

    @Override
    public AccessToken renew() throws MailSendException {
        lock.lock();
        try {
            return fetch(true);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void invalidate(AccessToken rejected) {
        lock.lock();
        try {
            if (current != null && current.equals(rejected)) {
                current = null;
                LOG.fine(() -> "M365MAIL-2002 Access token for " + description + " was refused; a new one is due");
            }
        } finally {
            lock.unlock();
        }
    }

    /** Enough life left to be sent: more than a tenth of its lifetime, at most five minutes. */
    private static boolean usable(AccessToken token, Instant now) {
        return token.isFreshAt(now, share(token, 10, MAX_USABLE_MARGIN));
    }

    /** Less than a quarter of its lifetime (at most 15 minutes) left: time to fetch the next one. */
    private static boolean dueForRefresh(AccessToken token, Instant now) {
        return !token.isFreshAt(now, share(token, 4, MAX_REFRESH_AHEAD));
    }

    private static Duration share(AccessToken token, int divisor, Duration cap) {
        Duration part = Duration.between(token.acquiredAt(), token.expiresAt()).dividedBy(divisor);
        return part.compareTo(cap) < 0 ? part : cap;
    }
}
