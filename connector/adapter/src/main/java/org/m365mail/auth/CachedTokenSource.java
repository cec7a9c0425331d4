package org.m365mail.auth;

import org.m365mail.api.MailSendException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Keeps one token and shares it with every caller until it nears its expiry; at most one request for a new token is
 * under way at a time, however many threads ask at once.
 *
 * <p>msal4j has a token cache, but it does not coalesce concurrent misses (32 threads made 22 requests in our
 * measurement), it misses every time when the authority URL carries a port, and it will not cache a token with less
 * than five minutes left. This class is therefore the one cache the connector relies on; it asks msal4j with
 * {@code skipCache} only when its own token is due.
 */
public final class CachedTokenSource implements TokenSource {

    private static final Logger LOG = Logger.getLogger(CachedTokenSource.class.getName());
    /** Renew when this much of the lifetime is left, at most (Entra's tokens live about an hour). */
    private static final Duration MAX_MARGIN = Duration.ofMinutes(5);

    private final TokenRequest request;
    private final Clock clock;
    private final String description;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile AccessToken current;

    /**
     * @param request     how to get a new token
     * @param clock       the time
     * @param description what the tokens are for, for log lines (no secrets)
     */
    public CachedTokenSource(TokenRequest request, Clock clock, String description) {
        this.request = request;
        this.clock = clock;
        this.description = description;
    }

    @Override
    public AccessToken token() throws MailSendException {
        AccessToken token = current;
        if (token != null && isFresh(token)) {
            return token;
        }
        lock.lock();
        try {
            token = current;
            if (token != null && isFresh(token)) {
                return token;
            }
            AccessToken fresh = request.request();
            current = fresh;
            LOG.fine(() -> "M365MAIL-2001 New access token for " + description + ", valid until "
                    + fresh.expiresAt());
            return fresh;
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

    private boolean isFresh(AccessToken token) {
        Duration lifetime = Duration.between(token.acquiredAt(), token.expiresAt());
        Duration margin = lifetime.dividedBy(10).compareTo(MAX_MARGIN) < 0 ? lifetime.dividedBy(10) : MAX_MARGIN;
        return token.isFreshAt(Instant.now(clock), margin);
    }
}
