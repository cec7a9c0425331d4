package org.m365mail.console;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;

import java.util.Set;
import java.util.logging.Logger;

/**
 * Publishes the server's connection factories of this connector where the server offers MicroProfile: one readiness
 * check per factory (at {@code /health/ready}, named {@code m365-mail <jndiName>}) and the factories' counts as
 * MicroProfile Metrics ({@code m365mail_*}, tagged with the factory's JNDI name). Servers without MicroProfile get
 * neither (the connector's MBeans remain); the console works the same.
 *
 * <p>The factories are the ones the server has when the console starts; a pool created later is published once the
 * console (or the server) restarts. Nothing here takes a name from a request: the names come from the server's
 * naming tree.
 */
public class ConnectorObservability implements Extension {

    private static final Logger LOG = Logger.getLogger(ConnectorObservability.class.getName());
    private static final String HEALTH_API = "org.eclipse.microprofile.health.HealthCheck";
    private static final String METRICS_API = "org.eclipse.microprofile.metrics.MetricRegistry";

    private final FactoryDirectory directory = new FactoryDirectory();

    void addMetricsPublisher(@Observes BeforeBeanDiscovery discovery) {
        if (present(METRICS_API)) {
            // Added here, not annotated: the class names MicroProfile Metrics types, absent on some servers.
            discovery.addAnnotatedType(MetricsPublisher.class, MetricsPublisher.class.getName())
                    .add(ApplicationScoped.Literal.INSTANCE);
        }
    }

    void addReadinessChecks(@Observes AfterBeanDiscovery discovery) {
        Set<String> names = directory.factories().keySet();
        if (present(HEALTH_API) && !names.isEmpty()) {
            // In a class of its own: this one must load where MicroProfile Health is absent.
            FactoryReadiness.addBeans(discovery, names, directory);
            LOG.info(() -> "M365MAIL-5012 Readiness checks published for " + names);
        }
    }

    private static boolean present(String type) {
        try {
            Class.forName(type, false, ConnectorObservability.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
