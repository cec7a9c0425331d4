package org.m365mail.config;

import java.time.Duration;

/**
 * How messages that are not sent on the caller's thread are handled: inside a transaction, asynchronously, and
 * through the durable outbox.
 */
final class DeliveryRules {

    private DeliveryRules() {
    }

    static MailSettings.Delivery check(MailProperties p, Problems problems) {
        TransactionalSend mode = problems.choice("transactionalSend", p.getTransactionalSend(),
                TransactionalSend.class, PropertyDefaults.TRANSACTIONAL_SEND);
        int limit = problems.atLeast("pendingSendsLimit", p.getPendingSendsLimit(),
                PropertyDefaults.PENDING_SENDS_LIMIT, 1);
        int wait = problems.atLeast("pendingSendsWaitMillis", p.getPendingSendsWaitMillis(),
                PropertyDefaults.PENDING_SENDS_WAIT_MILLIS, 0);
        String dataSource = Problems.trim(p.getOutboxDataSource());
        if (dataSource != null && !JndiNames.isGlobal(dataSource)) {
            // Looked up from the connector's own threads too, where only the server's global names resolve.
            problems.add(JndiNames.problem("outboxDataSource", dataSource,
                    "a JDBC resource whose pool is transactional (e.g. jdbc/mailOutbox)"));
            dataSource = null;
        }
        if (dataSource != null && mode == TransactionalSend.IMMEDIATE) {
            problems.add("outboxDataSource is set but transactionalSend is IMMEDIATE: messages sent in a transaction "
                    + "would not go through the outbox. Remove transactionalSend (AFTER_COMMIT is the default) or "
                    + "outboxDataSource");
        }
        int threads = problems.atLeast("outboxDeliveryThreads", p.getOutboxDeliveryThreads(),
                PropertyDefaults.OUTBOX_DELIVERY_THREADS, 1);
        if (threads > 32) {
            problems.add("outboxDeliveryThreads must be at most 32 (was " + threads + "): Graph allows 4 requests at "
                    + "once per mailbox, Exchange 3 SMTP connections");
        }
        int retryHours = problems.atLeast("outboxRetryHours", p.getOutboxRetryHours(),
                PropertyDefaults.OUTBOX_RETRY_HOURS, 1);
        int keepHours = problems.atLeast("outboxKeepDeliveredHours", p.getOutboxKeepDeliveredHours(),
                PropertyDefaults.OUTBOX_KEEP_DELIVERED_HOURS, 0);
        InDoubtPolicy inDoubt = problems.choice("outboxInDoubt", p.getOutboxInDoubt(), InDoubtPolicy.class,
                PropertyDefaults.OUTBOX_IN_DOUBT);
        return new MailSettings.Delivery(mode, limit, Duration.ofMillis(wait), dataSource, threads,
                Duration.ofHours(retryHours), Duration.ofHours(keepHours), inDoubt);
    }
}
