package org.m365mail.console;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Publishes the factories' counts in the application's metric registry when the console starts, and ends the
 * subscriptions when it stops, so the connector (which outlives the console) keeps none of the console's objects.
 * Made a bean by {@link ConnectorObservability} only where MicroProfile Metrics is present.
 */
public class MetricsPublisher {

    private static final Logger LOG = Logger.getLogger(MetricsPublisher.class.getName());

    @Inject
    MetricRegistry registry;

    private final List<AutoCloseable> subscriptions = new ArrayList<>();

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        FactoryDirectory directory = new FactoryDirectory();
        subscriptions.addAll(FactoryMetrics.subscribe(registry, directory.factories().keySet(), directory));
    }

    @PreDestroy
    void stop() {
        for (AutoCloseable subscription : subscriptions) {
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.fine(() -> "M365MAIL-5013 Ending a metrics subscription failed: " + e);
            }
        }
        subscriptions.clear();
    }
}
