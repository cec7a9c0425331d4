package org.m365mail.console;

import jakarta.resource.ResourceException;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.MetricsObserver;
import org.m365mail.admin.MetricsSnapshot;
import org.m365mail.api.MailConnectionFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * A connection factory's counts as MicroProfile Metrics in the application registry, under the product's names and
 * tagged {@code factory=<jndiName>}: {@code m365mail.messages.sent}, {@code m365mail.messages.failed} (and
 * {@code reason}), {@code m365mail.sends.retried}, {@code m365mail.throttled.waits}, {@code m365mail.tokens.requested},
 * {@code m365mail.tokens.refreshed} and the timer {@code m365mail.send.duration}. The counters start from what the
 * connector counted before the console started, then follow each event as it happens.
 */
final class FactoryMetrics implements MetricsObserver {

    private static final Logger LOG = Logger.getLogger(FactoryMetrics.class.getName());
    /** The reasons the connector counts failures by (see MetricsSnapshot#failed). */
    private static final List<String> REASONS = List.of("authentication", "permission", "connectivity", "throttling",
            "quota", "rejected", "refused", "closed", "other");

    private final Counter sent;
    private final Map<String, Counter> failed = new HashMap<>();
    private final Counter retried;
    private final Counter throttled;
    private final Counter tokensRequested;
    private final Counter tokensRefreshed;
    private final Timer sendDuration;

    private FactoryMetrics(MetricRegistry registry, String jndiName) {
        Tag factory = new Tag("factory", jndiName);
        sent = registry.counter(metadata("m365mail.messages.sent", "Messages Microsoft 365 accepted"), factory);
        for (String reason : REASONS) {
            failed.put(reason, registry.counter(metadata("m365mail.messages.failed",
                    "Messages (or connections for one) that failed, by reason"), factory, new Tag("reason", reason)));
        }
        retried = registry.counter(metadata("m365mail.sends.retried",
                "Requests sent again after a fault, a deferral or throttling"), factory);
        throttled = registry.counter(metadata("m365mail.throttled.waits",
                "Sends that waited for the mailbox's pace, a free slot or a Retry-After"), factory);
        tokensRequested = registry.counter(metadata("m365mail.tokens.requested",
                "Token requests to Entra ID, refreshes included"), factory);
        tokensRefreshed = registry.counter(metadata("m365mail.tokens.refreshed",
                "Token requests made ahead of expiry while the current token served"), factory);
        sendDuration = registry.timer(Metadata.builder().withName("m365mail.send.duration")
                .withDescription("Time of a successful send, the pace and retries included")
                .withUnit(MetricUnits.SECONDS).build(), factory);
    }

    private static Metadata metadata(String name, String description) {
        return Metadata.builder().withName(name).withDescription(description).build();
    }

    /** Registers and subscribes each factory's metrics; returns the subscriptions to close when the console stops. */
    static List<AutoCloseable> subscribe(MetricRegistry registry, Collection<String> names,
                                         FactoryDirectory directory) {
        List<AutoCloseable> subscriptions = new ArrayList<>();
        for (String name : names) {
            Optional<MailConnectionFactory> factory = directory.find(name);
            if (factory.isEmpty()) {
                continue;
            }
            try {
                FactoryAdministration admin = FactoryAdministration.of(factory.get());
                FactoryMetrics metrics = new FactoryMetrics(registry, name);
                subscriptions.add(admin.observe(name, metrics));
                metrics.startFrom(admin.metrics());
            } catch (ResourceException | RuntimeException e) {
                LOG.warning(() -> "M365MAIL-5014 The metrics of " + name + " cannot be published: " + e.getMessage());
            }
        }
        LOG.info(() -> "M365MAIL-5015 Metrics published for " + names);
        return subscriptions;
    }

    /** Brings the counters to what the connector counted before they were registered. */
    private void startFrom(MetricsSnapshot s) {
        sent.inc(s.sent());
        s.failed().forEach((reason, count) -> {
            Counter c = failed.get(reason);
            if (c != null) {
                c.inc(count);
            }
        });
        retried.inc(s.retried());
        throttled.inc(s.throttledWaits());
        tokensRequested.inc(s.tokenRequests());
        tokensRefreshed.inc(s.tokenRefreshes());
    }

    @Override
    public void sent(Duration took) {
        sent.inc();
        sendDuration.update(took);
    }

    @Override
    public void failed(String reason) {
        Counter c = failed.get(reason);
        if (c != null) {
            c.inc();
        }
    }

    @Override
    public void retried() {
        retried.inc();
    }

    @Override
    public void throttled(Duration waited) {
        throttled.inc();
    }

    @Override
    public void tokenRequested(boolean refresh) {
        tokensRequested.inc();
        if (refresh) {
            tokensRefreshed.inc();
        }
    }
}
