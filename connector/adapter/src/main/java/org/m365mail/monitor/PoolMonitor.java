package org.m365mail.monitor;

import org.m365mail.admin.LastFailure;
import org.m365mail.admin.CredentialExpiry;
import org.m365mail.admin.MetricsObserver;
import org.m365mail.admin.PoolStatus;
import org.m365mail.api.MailSendException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches one pool: counts what happens to it ({@link SendMetrics}), knows whether it can send ({@link PoolHealth}),
 * keeps its credentials' expiry, and tells its {@link PoolObserver}s (the alerts) of failures, recoveries and
 * expiring credentials.
 *
 * <p>A pool keeps its monitor across a credential rotation: the factories before and after share it (see
 * {@code MailManagedConnectionFactory#current()}), so counts, health and alert intervals carry on.
 */
public final class PoolMonitor implements SendEvents {

    private static final Logger LOG = Logger.getLogger(PoolMonitor.class.getName());

    private final String description;
    private final Clock clock;
    private final SendMetrics metrics = new SendMetrics();
    private final PoolHealth health;
    private final List<PoolObserver> observers = new CopyOnWriteArrayList<>();
    private final Map<String, CredentialExpiry> expiries = new ConcurrentHashMap<>();
    private final Set<String> names = ConcurrentHashMap.newKeySet();

    /**
     * @param description    what the pool is, for people: its mailbox, transport, tenant and client (no secret)
     * @param unhealthyAfter how long pool-wide failures may go on before the pool is DOWN
     */
    public PoolMonitor(String description, Duration unhealthyAfter, Clock clock) {
        this.description = description;
        this.clock = clock;
        this.health = new PoolHealth(unhealthyAfter);
    }

    public void addObserver(PoolObserver observer) {
        observers.add(observer);
    }

    /** What the pool is, with the names the console knows it by. */
    public String description() {
        List<String> known = names.stream().sorted().toList();
        return known.isEmpty() ? description : String.join(", ", known) + ": " + description;
    }

    /** Remembers a name the pool is known by (its JNDI name), for the alerts. */
    public void knownAs(String name) {
        names.add(name);
    }

    public SendMetrics metrics() {
        return metrics;
    }

    /** Subscribes a metrics registry; see {@link MetricsObserver}. */
    public AutoCloseable observe(MetricsObserver observer) {
        return metrics.observe(observer);
    }

    /** A message was sent in {@code took}. */
    public void sent(Duration took) {
        metrics.sent(took);
        Instant now = Instant.now(clock);
        PoolHealth.Episode ended = health.succeeded(now);
        if (ended != null) {
            recovered(ended, now);
        }
    }

    /** A message was not sent. */
    public void failed(MailSendException failure) {
        FailureReason reason = FailureReason.of(failure);
        metrics.failed(reason);
        if (reason == FailureReason.CLOSED) {
            return;
        }
        Instant now = Instant.now(clock);
        if (reason.poolWide()) {
            health.failed(reason, failure.getMessage(), now);
        }
        tell(o -> o.failed(reason, failure.getMessage(), now));
    }

    /** The pool's credentials gave a token with the permission its transport needs (a Ping, a readiness probe). */
    public void credentialsVerified() {
        Instant now = Instant.now(clock);
        PoolHealth.Episode ended = health.credentialsVerified(now);
        if (ended != null) {
            recovered(ended, now);
        }
    }

    /** The pool's token lacks what its transport needs, or is for another tenant: no send can succeed. */
    public void setupFailed(MailSendException failure) {
        Instant now = Instant.now(clock);
        FailureReason reason = FailureReason.of(failure);
        health.blocked(reason, failure.getMessage(), now, false);
        health.failed(reason, failure.getMessage(), now);
        tell(o -> o.failed(reason, failure.getMessage(), now));
    }

    /** The last pool-wide failure still unresolved, with when and what to do, or {@code null}; asks nothing. */
    public LastFailure lastFailure() {
        return health.lastFailureRecord();
    }

    /** Whether a readiness check should ask for a token now; see {@link PoolHealth#probeDue}. */
    public boolean probeDue() {
        return health.probeDue(Instant.now(clock));
    }

    /** The pool's state, from what happened to it; asks nothing. */
    public PoolStatus status() {
        Instant now = Instant.now(clock);
        String reason = health.reason(now);
        List<CredentialExpiry> known = expiries.values().stream()
                .sorted(Comparator.comparing(CredentialExpiry::expires)).toList();
        return new PoolStatus(reason == null, reason, health.since(), health.lastSuccess(), health.lastFailure(),
                known);
    }

    @Override
    public void retried() {
        metrics.retried();
    }

    @Override
    public void throttled(Duration waited) {
        metrics.throttled(waited);
    }

    @Override
    public void tokenRequested(boolean refresh) {
        metrics.tokenRequested(refresh);
    }

    @Override
    public void tokenObtained() {
        if (!health.isBlocked()) {
            // Every send asks for the token: the usual case costs one volatile read.
            return;
        }
        Instant now = Instant.now(clock);
        PoolHealth.Episode ended = health.tokenObtained(now);
        if (ended != null) {
            recovered(ended, now);
        }
    }

    @Override
    public void tokenFailed(MailSendException failure, Instant servingUntil) {
        Instant now = Instant.now(clock);
        FailureReason reason = FailureReason.of(failure);
        if (!reason.poolWide()) {
            // A token request that failed for no reason of the pool's (interrupted): nothing to tell.
            return;
        }
        String detail = servingUntil == null ? failure.getMessage() : failure.getMessage()
                + " Sends go on with the current token until " + servingUntil + "; fix this before then.";
        if (servingUntil == null) {
            health.blocked(reason, detail, now, true);
            health.failed(reason, detail, now);
        }
        tell(o -> o.failed(reason, detail, now));
    }

    @Override
    public void expiry(String kind, String credential, Instant expires, boolean warning) {
        expiries.put(kind, new CredentialExpiry(credential, expires, warning));
        if (warning) {
            Instant now = Instant.now(clock);
            tell(o -> o.expiring(credential, expires, now));
        }
    }

    private void recovered(PoolHealth.Episode ended, Instant at) {
        LOG.info(() -> "M365MAIL-6001 " + description() + " works again after " + ended.failures() + " "
                + ended.reason().tag() + " failure(s) since " + ended.since());
        tell(o -> o.recovered(ended.reason(), ended.since(), ended.failures(), at));
    }

    private void tell(Consumer<PoolObserver> event) {
        for (PoolObserver observer : observers) {
            try {
                event.accept(observer);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "M365MAIL-6002 Telling " + observer + " of a change of " + description()
                        + " failed: " + e, e);
            }
        }
    }

    @Override
    public String toString() {
        return "PoolMonitor[" + description() + "]";
    }
}
