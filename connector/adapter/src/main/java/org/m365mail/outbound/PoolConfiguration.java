package org.m365mail.outbound;

import jakarta.resource.spi.ConfigProperty;
import org.m365mail.admin.Setting;
import org.m365mail.config.PropertyDefaults;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A factory's effective configuration as the console shows it: every {@link ConfigProperty} of
 * {@link MailManagedConnectionFactory}, grouped by concern, with the description the server's tools are given (the
 * annotation is the one place a property is declared), its value, its default and whether the pool sets it. The
 * values of confidential properties are never read out, only whether they are set. "Set" means the pool sets it
 * (to its default or not): that value stays when a later version changes the default.
 */
final class PoolConfiguration {

    /** The concerns, in the order an administrator sets a pool up; every property is in exactly one. */
    static final Map<String, List<String>> GROUPS = groups();

    private PoolConfiguration() {
    }

    private static Map<String, List<String>> groups() {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("Sending", List.of("transport", "fromAddress", "fromName", "allowedFromAddresses", "saveToSentItems"));
        g.put("Sign-in to Microsoft Entra ID", List.of("authentication", "tenantId", "clientId", "clientSecret",
                "applicationPassword", "clientSecretExpires", "certificatePath", "certificatePassword", "username", "password"));
        g.put("Delegated consent and tokens", List.of("consentRedirectUri", "tokenStoreFile", "tokenStoreDataSource",
                "tokenStoreKey", "tokenCache", "tokenCacheKey"));
        g.put("Transactions, asynchronous sending and outbox", List.of("transactionalSend", "pendingSendsLimit",
                "pendingSendsWaitMillis", "outboxDataSource", "outboxDeliveryThreads", "outboxRetryHours",
                "outboxKeepDeliveredHours", "outboxInDoubt"));
        g.put("Alerts and health", List.of("alertAddress", "alertIntervalMinutes", "alertFallbackFactory",
                "unhealthyAfterSeconds", "expiryWarningDays"));
        g.put("Limits", List.of("messagesPerMinute", "maxRecipientsPerMessage", "maxMessageBytes",
                "smtpMaxConcurrentSends", "graphMaxConcurrentRequests", "sendTimeoutSeconds", "limitsScope"));
        g.put("Cloud, endpoints and network", List.of("cloud", "authorityUrl", "graphUrl", "smtpHost", "smtpPort",
                "smtpTls", "trustStorePath", "trustStorePassword", "httpProxy", "connectTimeoutMillis",
                "readTimeoutMillis"));
        return java.util.Collections.unmodifiableMap(g);
    }

    /** The configuration of {@code factory}, group by group. */
    static List<Setting> of(MailManagedConnectionFactory factory) {
        Map<String, Field> fields = properties();
        Map<String, String> defaults = PropertyDefaults.byProperty();
        List<Setting> settings = new ArrayList<>();
        GROUPS.forEach((group, names) -> {
            for (String name : names) {
                Field field = fields.get(name);
                ConfigProperty declared = field.getAnnotation(ConfigProperty.class);
                Object value = read(field, factory);
                boolean confidential = declared.confidential();
                boolean set = value != null && !(value instanceof String s && s.isBlank());
                settings.add(new Setting(name, group, String.join(" ", declared.description()),
                        confidential ? (set ? "(set)" : null) : set ? value.toString() : null,
                        confidential ? null : defaults.get(name), confidential, set));
            }
        });
        return settings;
    }

    /** The factory's configuration properties by name, as declared. */
    static Map<String, Field> properties() {
        Map<String, Field> found = new LinkedHashMap<>();
        for (Field field : MailManagedConnectionFactory.class.getDeclaredFields()) {
            if (field.isAnnotationPresent(ConfigProperty.class)) {
                found.put(field.getName(), field);
            }
        }
        return found;
    }

    private static Object read(Field field, MailManagedConnectionFactory factory) {
        try {
            field.setAccessible(true);
            return field.get(factory);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }
}
