package org.m365mail.transport.graph;

import jakarta.activation.DataSource;
import jakarta.activation.FileDataSource;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.spi.JsonProvider;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.config.Loopback;
import org.m365mail.config.MailSettings;
import org.m365mail.http.BoundedBody;
import org.m365mail.logging.LogText;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends a message with attachments of 3 MB and more, up to 150 MB each
 * (https://learn.microsoft.com/en-us/graph/outlook-large-attachments): create a draft, add small attachments with
 * one request each and large ones through an upload session each, then send the draft. If anything fails before the
 * send, the draft is deleted, so no half-built message is left in the mailbox.
 *
 * <p>Attachments are streamed: one chunk buffer of {@value #CHUNK} bytes (12 × 320 KiB, under Graph's 4 MB per
 * request) is reused, so the heap does not grow with the attachment. A chunk that fails is sent again from the offset
 * the session reports ({@code GET} on the upload URL). The upload URL is pre-authenticated and gets no
 * {@code Authorization} header: Graph's token sent there is refused ({@code InvalidAudience}).
 * Needs the {@code Mail.ReadWrite} application permission besides {@code Mail.Send}.
 */
final class LargeMessageUpload {

    private static final Logger LOG = Logger.getLogger(LargeMessageUpload.class.getName());
    /** Attachments from this size go through an upload session (Graph: "3 MB to 150 MB"). */
    static final long LARGE = 3L * 1024 * 1024;
    static final long MAX_ATTACHMENT = 150L * 1024 * 1024;
    static final int CHUNK = 12 * 320 * 1024;
    private static final String OUTCOME_UNKNOWN = "OutcomeUnknown";
    private static final long SESSION_GONE = -1;
    /** Upload sessions tried for one attachment before the send gives up. */
    static final int MAX_SESSIONS = 3;

    private final MailSettings settings;
    private final GraphRequests requests;
    private final HttpClient http;
    private final Clock clock;
    private final GraphMessageJson json;
    private final JsonProvider jsonProvider = JsonProvider.provider();
    private final String messagesUri;

    LargeMessageUpload(MailSettings settings, GraphRequests requests, HttpClient http, Clock clock,
                       GraphMessageJson json) {
        this.settings = settings;
        this.requests = requests;
        this.http = http;
        this.clock = clock;
        this.json = json;
        this.messagesUri = settings.graphUrl() + "/v1.0/users/"
                + URLEncoder.encode(settings.fromAddress().getAddress(), StandardCharsets.UTF_8) + "/messages";
    }

    /**
     * The upload URL Graph gave, if the attachment's bytes may go there: {@code https}, on a Microsoft host of the
     * configured cloud, or, when {@code graphUrl} is this machine (the stand-in), on this machine. Anything else (a
     * proxy or a wrong {@code graphUrl} answering with an address of its choosing) would receive the attachment, so
     * it is refused and the draft deleted.
     */
    private URI trusted(String uploadUrl, String messageId) throws MailSendException {
        URI uri;
        try {
            uri = new URI(uploadUrl);
        } catch (java.net.URISyntaxException | NullPointerException e) {
            uri = null;
        }
        String host = uri == null ? null : uri.getHost();
        boolean https = uri != null && "https".equalsIgnoreCase(uri.getScheme()) && host != null
                && uri.getRawUserInfo() == null;
        boolean microsoft = https && settings.cloud().isMicrosoftHost(host);
        boolean standIn = https && Loopback.isLoopback(URI.create(settings.graphUrl()).getHost())
                && Loopback.isLoopback(host);
        if (!microsoft && !standIn) {
            throw new MailSendException("Graph answered createUploadSession for message " + messageId + " with an "
                    + "upload address on " + LogText.of(host == null ? uploadUrl : host) + ", which is not an https "
                    + "address on a Microsoft host of the " + settings.cloud() + " cloud; the attachment was not sent "
                    + "there. Check graphUrl, cloud and any proxy in between. The message was not sent.",
                    "UntrustedUploadUrl", null);
        }
        return uri;
    }

    /** The attachment's size in bytes, without holding it in memory. */
    static long sizeOf(Part part) throws MessagingException, IOException {
        DataSource source = part.getDataHandler().getDataSource();
        if (source instanceof FileDataSource file) {
            return file.getFile().length();
        }
        try (InputStream in = part.getInputStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    SentMessage send(Message message, GraphMessageJson.Shape shape, InternetAddress from, InternetAddress sender,
                     String messageId) throws MailSendException {
        if (!settings.cloud().hasUploadSessions()) {
            throw new MailSendException("Message " + messageId + " has attachments of 3 MB or more, which Graph takes only "
                    + "through upload sessions, and upload sessions are not available in the " + settings.cloud()
                    + " cloud: send it with transport SMTP, or with smaller attachments", "UploadSessionsUnavailable",
                    null);
        }
        Instant deadline = requests.deadline();
        String draftId;
        try {
            HttpResponse<String> created = requests.call("POST", URI.create(messagesUri), "application/json",
                    json.draftBody(message, shape, from, sender, messageId), 201, messageId, deadline);
            draftId = read(created.body()).getString("id");
        } catch (MailSendException e) {
            if (OUTCOME_UNKNOWN.equals(e.getErrorCode())) {
                // Nothing is sent by a draft: the message was not sent, whatever became of the draft.
                throw new MailSendException("Graph's answer to creating the draft of message " + messageId + " was "
                        + "lost; the message was not sent (a draft of it may be left in Drafts of "
                        + settings.fromAddress().getAddress() + "), and sending it again is safe.", "DraftNotConfirmed", e);
            }
            if ("ErrorAccessDenied".equals(e.getErrorCode())) {
                throw new MailSendException("Message " + messageId + " has attachments of 3 MB or more; Graph takes "
                        + "those through a draft and upload sessions, which need the Mail.ReadWrite application "
                        + "permission besides Mail.Send: grant it with admin consent. " + e.getMessage(),
                        "ErrorAccessDenied", e);
            }
            throw e;
        } catch (MessagingException | IOException e) {
            throw new MailSendException("Cannot read message " + messageId + ": " + e.getMessage(), e);
        }
        String draftUri = messagesUri + "/" + URLEncoder.encode(draftId, StandardCharsets.UTF_8);
        boolean sending = false;
        try {
            for (Part part : shape.content.attachments) {
                long size = sizeOf(part);
                if (size > MAX_ATTACHMENT) {
                    throw new MailSendException("An attachment of message " + messageId + " is " + size + " bytes; Graph "
                            + "takes at most 150 MB per attachment", "AttachmentTooLarge", null);
                }
                if (size < LARGE) {
                    requests.call("POST", URI.create(draftUri + "/attachments"), "application/json",
                            json.attachmentBody(part), 201, messageId, deadline);
                } else {
                    for (int sessions = 1; ; sessions++) {
                        HttpResponse<String> session = requests.call("POST",
                                URI.create(draftUri + "/attachments/createUploadSession"), "application/json",
                                json.uploadSessionBody(part, size), 201, messageId, deadline);
                        if (upload(part, size, trusted(read(session.body()).getString("uploadUrl"), messageId),
                                messageId, deadline)) {
                            break;
                        }
                        if (sessions >= MAX_SESSIONS) {
                            throw new MailSendException("The upload session for an attachment of message " + messageId
                                    + " expired " + sessions + " times before the attachment was complete; the draft "
                                    + "was deleted and the message not sent. Check the network's speed to Graph.",
                                    "UploadFailed", null);
                        }
                        LOG.log(Level.FINE, "M365MAIL-3005 The upload session for an attachment of {0} expired; "
                                + "uploading it again in a new one", LogText.of(messageId));
                    }
                }
            }
            sending = true;
            HttpResponse<String> sent = requests.call("POST", URI.create(draftUri + "/send"), null, null, 202,
                    messageId, deadline);
            String requestId = sent.headers().firstValue("request-id").orElse(null);
            LOG.log(Level.FINE, "M365MAIL-3004 Graph accepted {0} from {1} (draft and upload sessions, request-id {2})",
                    new Object[]{LogText.of(messageId), settings.fromAddress().getAddress(), LogText.of(requestId)});
            return new SentMessage(messageId, "GRAPH", requestId, Instant.now(clock));
        } catch (MailSendException e) {
            if (sending && OUTCOME_UNKNOWN.equals(e.getErrorCode())) {
                // Graph may be sending the draft: it stays, as a deletion could race the send.
                throw e;
            }
            deleteDraft(draftUri, messageId);
            if (OUTCOME_UNKNOWN.equals(e.getErrorCode())) {
                throw new MailSendException("Graph's answer to adding an attachment to the draft of message "
                        + messageId + " was lost; the draft was deleted and the message was not sent, so sending it "
                        + "again is safe.", "DraftNotConfirmed", e);
            }
            throw e;
        } catch (RuntimeException e) {
            deleteDraft(draftUri, messageId);
            throw e;
        } catch (MessagingException | IOException e) {
            deleteDraft(draftUri, messageId);
            throw new MailSendException("Cannot read an attachment of message " + messageId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Streams one attachment to its upload session, resuming where the session says after a failed chunk.
     *
     * @return {@code false} when the session expired or vanished ({@code 404}): the caller opens a new one
     */
    private boolean upload(Part part, long size, URI uploadUrl, String messageId, Instant deadline)
            throws MailSendException, MessagingException, IOException {
        byte[] buffer = new byte[(int) Math.min(CHUNK, size)];
        InputStream in = part.getInputStream();
        try {
            long windowStart = 0;
            int windowLength = 0;
            long confirmed = 0;
            int failures = 0;
            while (confirmed < size) {
                if (confirmed >= windowStart + windowLength) {
                    if (confirmed != windowStart + windowLength) {
                        in.close();
                        in = part.getInputStream();
                        in.skipNBytes(confirmed);
                    }
                    windowStart = confirmed;
                    windowLength = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, size - confirmed));
                    if (windowLength <= 0) {
                        throw new MailSendException("An attachment of message " + messageId + " ended after "
                                + confirmed + " of " + size + " bytes", "AttachmentChanged", null);
                    }
                }
                int offset = (int) (confirmed - windowStart);
                int length = windowLength - offset;
                Integer status = put(uploadUrl, buffer, offset, length, confirmed, size);
                if (status != null && status == 404) {
                    return false;
                }
                if (status != null && (status == 200 || status == 201)) {
                    confirmed += length;
                    failures = 0;
                    continue;
                }
                Duration wait = GraphRequests.backoff(++failures);
                if (!requests.fitsBefore(deadline, wait)) {
                    throw new MailSendException("Uploading an attachment of message " + messageId + " kept failing ("
                            + (status == null ? "no answer" : "HTTP " + status) + " at byte " + confirmed + " of " + size
                            + ") within sendTimeoutSeconds=" + settings.graph().sendTimeout().toSeconds(),
                            "UploadFailed", null);
                }
                requests.retry(messageId, "attachment chunk failed", wait);
                long next = nextExpected(uploadUrl, confirmed);
                if (next == SESSION_GONE) {
                    return false;
                }
                confirmed = next;
                if (confirmed < windowStart) {
                    windowStart = windowLength = 0;
                }
            }
            return true;
        } finally {
            in.close();
        }
    }

    /** One chunk; the status, or {@code null} when no answer came. */
    private Integer put(URI uploadUrl, byte[] buffer, int offset, int length, long start, long size)
            throws MailSendException {
        HttpRequest request = HttpRequest.newBuilder(uploadUrl)
                .timeout(settings.network().readTimeout())
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", "bytes " + start + "-" + (start + length - 1) + "/" + size)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(buffer, offset, length))
                .build();
        try {
            return requests.withSlot(() -> http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Where the upload session wants the next bytes from; {@link #SESSION_GONE} when the session expired or vanished.
     */
    private long nextExpected(URI uploadUrl, long fallback) throws MailSendException {
        try {
            HttpResponse<String> status = requests.withSlot(() -> http.send(HttpRequest.newBuilder(uploadUrl)
                    .timeout(settings.network().readTimeout()).GET().build(), BoundedBody.ofString(BoundedBody.GRAPH_LIMIT)));
            if (status.statusCode() == 404) {
                return SESSION_GONE;
            }
            if (status.statusCode() != 200) {
                return fallback;
            }
            JsonArray ranges = read(status.body()).getJsonArray("nextExpectedRanges");
            String first = ranges == null || ranges.isEmpty() ? null : ranges.getString(0);
            return first == null ? fallback : Long.parseLong(first.substring(0, first.indexOf('-')));
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    private void deleteDraft(String draftUri, String messageId) {
        try {
            requests.call("DELETE", URI.create(draftUri), null, null, 204, messageId,
                    Instant.now(clock).plusSeconds(30));
        } catch (MailSendException | RuntimeException e) {
            LOG.log(Level.WARNING, "M365MAIL-3003 Could not delete the draft of unsent message {0} in {1}: {2}",
                    new Object[]{LogText.of(messageId), settings.fromAddress().getAddress(), LogText.of(e.getMessage())});
        }
    }

    private JsonObject read(String body) {
        try (JsonReader reader = jsonProvider.createReader(new StringReader(body))) {
            return reader.readObject();
        }
    }
}
