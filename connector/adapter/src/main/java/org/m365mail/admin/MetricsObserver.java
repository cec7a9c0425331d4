package org.m365mail.admin;

import java.time.Duration;

/**
 * Told of each event a connection factory counts, as it happens, on the thread that caused it: for a metrics
 * registry (the console publishes them as MicroProfile Metrics). Methods must return at once and not throw.
 *
 * <pre>{@code
 * AutoCloseable subscription = FactoryAdministration.of(factory).observe("mail/Office365", new MetricsObserver() {
 *     public void sent(Duration took) { sentCounter.inc(); sendTimer.update(took); }
 * });
 * // ... when the observer goes away (the console is undeployed):
 * subscription.close();
 * }</pre>
 */
public interface MetricsObserver {

    /** A message was accepted by the service after {@code took}. */
    default void sent(Duration took) {
    }

    /** A message was not sent; {@code reason} is one of {@link MetricsSnapshot#failed()}'s keys. */
    default void failed(String reason) {
    }

    /** A request was sent again. */
    default void retried() {
    }

    /** A send waited {@code waited} for the pace, a slot or a {@code Retry-After}. */
    default void throttled(Duration waited) {
    }

    /** A token was requested from Entra ID; {@code refresh} when ahead of expiry, the current one still in use. */
    default void tokenRequested(boolean refresh) {
    }
}
