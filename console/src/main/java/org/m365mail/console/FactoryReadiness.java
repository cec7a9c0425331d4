package org.m365mail.console;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.resource.ResourceException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.m365mail.admin.CredentialExpiry;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.MetricsSnapshot;
import org.m365mail.admin.PoolStatus;
import org.m365mail.api.MailConnectionFactory;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * The readiness of one connection factory, as MicroProfile Health reports it: {@code DOWN} with the reason when Entra
 * refuses its credentials or its sends have kept failing for {@code unhealthyAfterSeconds}, {@code UP} otherwise, with
 * its credentials' expiry and its counts as data. Never a secret: the reasons are the connector's own messages.
 *
 * <p>Not a bean by itself (no bean-defining annotation, no default constructor): {@link #addBeans} makes one per
 * factory. The {@code @Readiness} on the class is what tells Payara that the console has health checks, so that its
 * MicroProfile Health takes up the beans made here.
 */
@Readiness
final class FactoryReadiness implements HealthCheck {

    private final String jndiName;
    private final FactoryDirectory directory;

    FactoryReadiness(String jndiName, FactoryDirectory directory) {
        this.jndiName = jndiName;
        this.directory = directory;
    }

    /** One {@code @Readiness} bean per factory, for the server's MicroProfile Health to find. */
    static void addBeans(AfterBeanDiscovery discovery, Collection<String> names, FactoryDirectory directory) {
        for (String name : names) {
            discovery.addBean()
                    .beanClass(FactoryReadiness.class)
                    .types(HealthCheck.class, Object.class)
                    .qualifiers(Readiness.Literal.INSTANCE, Any.Literal.INSTANCE)
                    .id("m365-mail-readiness-" + name)
                    .createWith(context -> new FactoryReadiness(name, directory));
        }
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("m365-mail " + jndiName);
        Optional<MailConnectionFactory> factory = directory.find(jndiName);
        if (factory.isEmpty()) {
            return response.down().withData("reason", "the server no longer has " + jndiName).build();
        }
        try {
            FactoryAdministration admin = FactoryAdministration.of(factory.get());
            PoolStatus status = admin.check();
            MetricsSnapshot counts = admin.metrics();
            response.status(status.up())
                    .withData("mailbox", admin.fromAddress())
                    .withData("transport", admin.transport())
                    .withData("sent", counts.sent())
                    .withData("failed", counts.failedTotal());
            if (status.reason() != null) {
                response.withData("reason", status.reason());
            }
            if (status.lastSuccess() != null) {
                response.withData("lastSuccess", status.lastSuccess().toString());
            }
            Instant now = Instant.now();
            for (CredentialExpiry e : status.expiries()) {
                response.withData(e.credential().startsWith("certificate") ? "certificateExpires"
                        : "clientSecretExpires", e.expires() + " (" + e.daysLeft(now) + " days)");
            }
            return response.build();
        } catch (ResourceException e) {
            return response.down().withData("reason", String.valueOf(e.getMessage())).build();
        }
    }

    @Override
    public String toString() {
        return "FactoryReadiness[" + jndiName + "]";
    }
}
