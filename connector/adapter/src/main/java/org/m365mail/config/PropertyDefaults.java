package org.m365mail.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The value a pool property takes when the pool sets none; the one place the defaults are written.
 *
 * <p>They are not declared as the properties' default values for the server: Payara's admin console writes every value
 * its form shows into the pool, so a declared default would be frozen into each pool made there, and a later version
 * of the connector could not change it. The properties are declared empty; an administrator who leaves one empty gets
 * the default below, today's or a later version's. The descriptions say what the default is.
 */
public final class PropertyDefaults {

    public static final TransportKind TRANSPORT = TransportKind.GRAPH;
    public static final AuthenticationMode AUTHENTICATION = AuthenticationMode.CLIENT_CREDENTIALS;
    public static final Cloud CLOUD = Cloud.GLOBAL;
    public static final TokenCacheKind TOKEN_CACHE = TokenCacheKind.LOCAL;
    public static final int SMTP_PORT = 587;
    public static final int SMTP_MAX_CONCURRENT_SENDS = 3;
    public static final int MESSAGES_PER_MINUTE = 30;
    public static final int MAX_RECIPIENTS_PER_MESSAGE = 500;
    /** Exchange Online's default MaxSendSize, 35 MB. */
    public static final long MAX_MESSAGE_BYTES = 35L * 1024 * 1024;
    public static final boolean SAVE_TO_SENT_ITEMS = true;
    public static final int GRAPH_MAX_CONCURRENT_REQUESTS = 4;
    public static final int SEND_TIMEOUT_SECONDS = 120;
    public static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    public static final int READ_TIMEOUT_MILLIS = 60_000;
    public static final int ALERT_INTERVAL_MINUTES = 60;
    public static final int UNHEALTHY_AFTER_SECONDS = 120;
    public static final int EXPIRY_WARNING_DAYS = 30;
    public static final LimitsScope LIMITS_SCOPE = LimitsScope.INSTANCE;
    public static final TransactionalSend TRANSACTIONAL_SEND = TransactionalSend.AFTER_COMMIT;
    public static final int PENDING_SENDS_LIMIT = 1000;
    public static final int PENDING_SENDS_WAIT_MILLIS = 10_000;
    public static final int OUTBOX_DELIVERY_THREADS = 4;
    public static final int OUTBOX_RETRY_HOURS = 24;
    public static final int OUTBOX_KEEP_DELIVERED_HOURS = 72;
    public static final InDoubtPolicy OUTBOX_IN_DOUBT = InDoubtPolicy.HOLD;

    private PropertyDefaults() {
    }

    /** The defaults by property name, as the console shows them. */
    public static Map<String, String> byProperty() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("transport", TRANSPORT.name());
        d.put("authentication", AUTHENTICATION.name());
        d.put("cloud", CLOUD.name());
        d.put("tokenCache", TOKEN_CACHE.name());
        d.put("smtpPort", String.valueOf(SMTP_PORT));
        d.put("smtpMaxConcurrentSends", String.valueOf(SMTP_MAX_CONCURRENT_SENDS));
        d.put("messagesPerMinute", String.valueOf(MESSAGES_PER_MINUTE));
        d.put("maxRecipientsPerMessage", String.valueOf(MAX_RECIPIENTS_PER_MESSAGE));
        d.put("maxMessageBytes", String.valueOf(MAX_MESSAGE_BYTES));
        d.put("saveToSentItems", String.valueOf(SAVE_TO_SENT_ITEMS));
        d.put("graphMaxConcurrentRequests", String.valueOf(GRAPH_MAX_CONCURRENT_REQUESTS));
        d.put("sendTimeoutSeconds", String.valueOf(SEND_TIMEOUT_SECONDS));
        d.put("connectTimeoutMillis", String.valueOf(CONNECT_TIMEOUT_MILLIS));
        d.put("readTimeoutMillis", String.valueOf(READ_TIMEOUT_MILLIS));
        d.put("alertIntervalMinutes", String.valueOf(ALERT_INTERVAL_MINUTES));
        d.put("unhealthyAfterSeconds", String.valueOf(UNHEALTHY_AFTER_SECONDS));
        d.put("expiryWarningDays", String.valueOf(EXPIRY_WARNING_DAYS));
        d.put("limitsScope", LIMITS_SCOPE.name());
        d.put("transactionalSend", TRANSACTIONAL_SEND.name());
        d.put("pendingSendsLimit", String.valueOf(PENDING_SENDS_LIMIT));
        d.put("pendingSendsWaitMillis", String.valueOf(PENDING_SENDS_WAIT_MILLIS));
        d.put("outboxDeliveryThreads", String.valueOf(OUTBOX_DELIVERY_THREADS));
        d.put("outboxRetryHours", String.valueOf(OUTBOX_RETRY_HOURS));
        d.put("outboxKeepDeliveredHours", String.valueOf(OUTBOX_KEEP_DELIVERED_HOURS));
        d.put("outboxInDoubt", OUTBOX_IN_DOUBT.name());
        return d;
    }
}
