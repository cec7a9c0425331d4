package org.m365mail.auth;

import org.m365mail.api.MailSendException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Redeems a delegated consent's refresh token when it has not been used for {@value #IDLE_DAYS} days, so that a
 * mailbox that sends rarely does not lose its consent: Entra lets a refresh token lapse after 90 days unused
 * ({@code AADSTS700082}), and each redemption yields a new one with a new 90 days. Checked twice a day.
 */
public final class ConsentKeepAlive implements AutoCloseable {

    /** Days a consent may lie unused before it is refreshed: well inside Entra's 90, and few redemptions a year. */
    public static final long IDLE_DAYS = 14;
    private static final Logger LOG = Logger.getLogger(ConsentKeepAlive.class.getName());

    /** Redeems the refresh token once (which stores the one Entra issues in its place). */
    @FunctionalInterface
    public interface Renewal {
        void renew() throws MailSendException;
    }

    private final RefreshTokenStore store;
    private final String key;
    private final String user;
    private final Renewal renewal;
    private final Clock clock;
    private volatile ScheduledFuture<?> task;

    public ConsentKeepAlive(RefreshTokenStore store, String key, String user, Renewal renewal, Clock clock) {
        this.store = store;
        this.key = key;
        this.user = user;
        this.renewal = renewal;
        this.clock = clock;
    }

    /**
     * Checks in a minute, then every 12 hours until closed: timed by {@code scheduler}, run on {@code background}
     * (a refresh waits on Entra; the scheduler's thread must not).
     */
    public ConsentKeepAlive start(ScheduledExecutorService scheduler, Executor background) {
        task = scheduler.scheduleWithFixedDelay(() -> background.execute(this::checkQuietly), 1, 12 * 60,
                TimeUnit.MINUTES);
        return this;
    }

    /**
     * Refreshes the consent if it has been idle for {@value #IDLE_DAYS} days or more.
     *
     * @return whether it was refreshed
     * @throws MailSendException if the refresh failed (a lapsed or revoked consent says to reconnect)
     */
    public boolean check() throws MailSendException {
        Optional<Instant> savedAt = store.savedAt(key);
        if (savedAt.isEmpty()) {
            return false;
        }
        Duration idle = Duration.between(savedAt.get(), Instant.now(clock));
        if (idle.toDays() < IDLE_DAYS) {
            return false;
        }
        renewal.renew();
        LOG.info(() -> "M365MAIL-2205 Refreshed the consent of " + user + ", unused for " + idle.toDays()
                + " days, so that it does not lapse after Entra's 90 days of inactivity");
        return true;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (MailSendException | RuntimeException e) {
            // A lapsed or revoked consent is already warned about, once, by the token request.
            LOG.log(Level.FINE, "M365MAIL-2206 Keeping the consent of " + user + " alive failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }
}
