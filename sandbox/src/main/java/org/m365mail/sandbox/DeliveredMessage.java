package org.m365mail.sandbox;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A message the stand-in accepted, as the recipient would see it, whichever way it came in.
 *
 * @param channel         {@code GRAPH} or {@code SMTP}
 * @param mailbox         the mailbox it was sent from (Graph's {users/id}, or the SMTP login)
 * @param envelopeFrom    SMTP {@code MAIL FROM}; for Graph the mailbox
 * @param from            the From address, or {@code null} when the message named none
 * @param fromName        the From display name, or {@code null}
 * @param subject         the subject
 * @param to              To addresses
 * @param cc              Cc addresses
 * @param bcc             Bcc addresses (Graph's bccRecipients; for SMTP the envelope recipients not in To or Cc)
 * @param replyTo         Reply-To addresses
 * @param textBody        the text/plain body, or {@code null}
 * @param htmlBody        the text/html body, or {@code null}
 * @param attachments     attachments and inline parts
 * @param headers         custom headers ({@code X-...}) as received
 * @param messageId       Message-ID, or {@code null}
 * @param saveToSentItems Graph's saveToSentItems (SMTP: always true)
 * @param requestId       Graph's request-id, or the SMTP queue id
 * @param raw             the request body or the SMTP DATA as received
 * @param receivedAt      when it was accepted
 * @param sender          the Sender (Send on Behalf), or {@code null}
 * @param importance      low, normal or high
 * @param inReplyTo       In-Reply-To, or {@code null}
 * @param references      References, or {@code null}
 * @param route           how it came: SMTP, GRAPH_JSON, GRAPH_MIME
 */
public record DeliveredMessage(String channel, String mailbox, String envelopeFrom, String from, String fromName,
                               String subject, List<String> to, List<String> cc, List<String> bcc,
                               List<String> replyTo, String textBody, String htmlBody,
                               List<Attachment> attachments, Map<String, String> headers, String messageId,
                               boolean saveToSentItems, String requestId, byte[] raw, Instant receivedAt,
                               String sender, String importance, String inReplyTo, String references, String route) {

    /** Every recipient: To, Cc and Bcc. */
    public List<String> allRecipients() {
        return java.util.stream.Stream.of(to, cc, bcc).flatMap(List::stream).toList();
    }

    /**
     * An attachment or an inline part.
     *
     * @param name        file name
     * @param contentType MIME type without parameters
     * @param content     the decoded bytes, or {@code null} for a large upload the stand-in kept only the digest of
     * @param inline      whether it is shown in the body
     * @param contentId   Content-ID without angle brackets, or {@code null}
     * @param size        its size in bytes
     * @param sha256      SHA-256 of the content, in hex
     */
    public record Attachment(String name, String contentType, byte[] content, boolean inline, String contentId,
                             long size, String sha256) {

        /** An attachment whose bytes are kept. */
        public static Attachment of(String name, String contentType, byte[] content, boolean inline, String contentId) {
            try {
                String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
                return new Attachment(name, contentType, content, inline, contentId, content.length, digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
