package org.m365mail.api;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * Identifies a message that Microsoft 365 accepted for delivery.
 *
 * <p>Acceptance is not delivery: Microsoft Graph answers {@code 202 Accepted} and Exchange Online
 * {@code 250 Queued mail for delivery}. Quote {@link #messageId()} and {@link #serviceReference()} when you trace a
 * message in the Exchange message trace or ask Microsoft support.
 */
public final class SentMessage implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String messageId;
    private final String transport;
    private final String serviceReference;
    private final Instant acceptedAt;
    private final Status status;

    /** How far a message has gone when {@link MailConnection#send} returns. */
    public enum Status {
        /** Microsoft 365 accepted the message for delivery. */
        ACCEPTED,
        /**
         * The message will be sent when the caller's JTA transaction commits (kept in memory until then); nothing if
         * it rolls back.
         */
        AFTER_COMMIT,
        /**
         * The message was written to the factory's outbox in the caller's transaction; the connector delivers it
         * after the commit, across restarts.
         */
        IN_OUTBOX
    }

    /**
     * @param messageId        the message's RFC 5322 {@code Message-ID}, angle brackets included; may be {@code null}
     *                         when the service assigns it itself
     * @param transport        {@code GRAPH} or {@code SMTP}
     * @param serviceReference the service's reference for the request (Graph {@code request-id}, or the SMTP server's
     *                         final reply); may be {@code null}
     * @param acceptedAt       when the service accepted the message
     */
    public SentMessage(String messageId, String transport, String serviceReference, Instant acceptedAt) {
        this(messageId, transport, serviceReference, acceptedAt, Status.ACCEPTED);
    }

    /**
     * @param messageId        the message's RFC 5322 {@code Message-ID}, angle brackets included
     * @param transport        {@code GRAPH} or {@code SMTP}
     * @param serviceReference the service's reference for the request, or {@code null} (always for a message not yet
     *                         sent)
     * @param acceptedAt       when the service accepted the message, or, for a message not yet sent, when the
     *                         connector took it
     * @param status           how far the message has gone
     */
    public SentMessage(String messageId, String transport, String serviceReference, Instant acceptedAt,
                       Status status) {
        this.messageId = messageId;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.serviceReference = serviceReference;
        this.acceptedAt = Objects.requireNonNull(acceptedAt, "acceptedAt");
        this.status = Objects.requireNonNull(status, "status");
    }

    /** @return the {@code Message-ID} header of the sent message, angle brackets included, or {@code null} */
    public String messageId() {
        return messageId;
    }

    /** @return the transport that sent it: {@code GRAPH} or {@code SMTP} */
    public String transport() {
        return transport;
    }

    /** @return Graph's {@code request-id}, or the SMTP server's reply to the message data; may be {@code null} */
    public String serviceReference() {
        return serviceReference;
    }

    /** @return when the service accepted the message, or, for one not yet sent, when the connector took it */
    public Instant acceptedAt() {
        return acceptedAt;
    }

    /**
     * @return {@link Status#ACCEPTED} once Microsoft 365 accepted the message; {@link Status#AFTER_COMMIT} or
     * {@link Status#IN_OUTBOX} when it goes out after the caller's transaction commits
     */
    public Status status() {
        return status == null ? Status.ACCEPTED : status;
    }

    @Override
    public String toString() {
        return "SentMessage[messageId=" + messageId + ", transport=" + transport
                + ", serviceReference=" + serviceReference + ", acceptedAt=" + acceptedAt + ", status=" + status() + "]";
    }
}
