package org.m365mail.config;

import jakarta.mail.internet.InternetAddress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What may be sent and how fast: the sending policy both transports share, and each transport's own limits. */
final class LimitRules {

    /**
     * @param sending the sending policy's limits (both transports)
     * @param smtp    SMTP's own
     * @param graph   Graph's own
     */
    record Limits(MailSettings.SendingLimits sending, MailSettings.SmtpLimits smtp, MailSettings.GraphOptions graph) {
    }

    private LimitRules() {
    }

    static Limits check(MailProperties p, InternetAddress fromAddress, Problems problems) {
        MailSettings.SmtpLimits smtp = new MailSettings.SmtpLimits(
                problems.atLeast("smtpMaxConcurrentSends", p.getSmtpMaxConcurrentSends(),
                        PropertyDefaults.SMTP_MAX_CONCURRENT_SENDS, 0));
        long maxMessageBytes = p.getMaxMessageBytes() == null ? PropertyDefaults.MAX_MESSAGE_BYTES
                : p.getMaxMessageBytes();
        if (maxMessageBytes < 1024) {
            problems.add("maxMessageBytes must be at least 1024 (was " + maxMessageBytes + ")");
        }
        MailSettings.SendingLimits sending = new MailSettings.SendingLimits(allowedFrom(p, fromAddress, problems),
                problems.atLeast("messagesPerMinute", p.getMessagesPerMinute(),
                        PropertyDefaults.MESSAGES_PER_MINUTE, 0),
                problems.atLeast("maxRecipientsPerMessage", p.getMaxRecipientsPerMessage(),
                        PropertyDefaults.MAX_RECIPIENTS_PER_MESSAGE, 1), maxMessageBytes,
                problems.choice("limitsScope", p.getLimitsScope(), LimitsScope.class, PropertyDefaults.LIMITS_SCOPE));
        int sendTimeoutSeconds = problems.atLeast("sendTimeoutSeconds", p.getSendTimeoutSeconds(),
                PropertyDefaults.SEND_TIMEOUT_SECONDS, 1);
        MailSettings.GraphOptions graph = new MailSettings.GraphOptions(
                p.getSaveToSentItems() == null ? PropertyDefaults.SAVE_TO_SENT_ITEMS : p.getSaveToSentItems(),
                problems.atLeast("graphMaxConcurrentRequests", p.getGraphMaxConcurrentRequests(),
                        PropertyDefaults.GRAPH_MAX_CONCURRENT_REQUESTS, 0),
                Duration.ofSeconds(sendTimeoutSeconds));
        return new Limits(sending, smtp, graph);
    }

    /** {@code fromAddress}, then each other address of {@code allowedFromAddresses} once. */
    private static List<InternetAddress> allowedFrom(MailProperties p, InternetAddress fromAddress, Problems problems) {
        List<InternetAddress> allowed = new ArrayList<>();
        if (fromAddress != null) {
            allowed.add(fromAddress);
        }
        for (InternetAddress a : problems.addresses("allowedFromAddresses", p.getAllowedFromAddresses())) {
            if (allowed.stream().noneMatch(x -> x.getAddress().equalsIgnoreCase(a.getAddress()))) {
                allowed.add(a);
            }
        }
        return List.copyOf(allowed);
    }
}
