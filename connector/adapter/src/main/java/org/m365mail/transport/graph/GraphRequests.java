package org.m365mail.transport.graph;

import org.m365mail.api.MailSendException;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.MailSettings;
import org.m365mail.http.BoundedBody;
import org.m365mail.logging.LogText;
import org.m365mail.monitor.SendEvents;
import org.m365mail.policy.MailboxLimits;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes one Graph request for a message, with the connector's rules for throttling and faults
 * (https://learn.microsoft.com/en-us/graph/throttling): at most {@code graphMaxConcurrentRequests} at once per
 * mailbox; {@code 429} and {@code 503} wait for {@code Retry-After} (fractional seconds too), as both say the request
 * was not processed; no retry starts after the message's deadline; one retry with a new token after a {@code 401}.
 *
 * <p>A request that would do harm twice (sending, a draft, an attachment: see {@link #repeatable}) is sent again only
 * when it provably never reached Graph (connection refused or not set up). When its answer is lost after it was sent
 * (a read timeout, a reset) or Graph answers {@code 500}/{@code 502}/{@code 504}, the send fails with
 * {@code OutcomeUnknown} and the message id, and is not repeated: the recipient must not get it twice. Requests that
 * may be repeated also retry those, with exponential backoff and jitter. Any other answer is final.
 */
final class GraphRequests {

    private static final Logger LOG = Logger.getLogger(GraphRequests.class.getName());
    private static final long BACKOFF_MILLIS = 500;

    private final MailSettings settings;
    private final TokenSource tokens;
    private final HttpClient http;
    private final MailboxLimits limits;
    private final Clock clock;
    private final GraphErrors errors = new GraphErrors();
    private final SendEvents events;

    GraphRequests(MailSettings settings, TokenSource tokens, HttpClient http, MailboxLimits limits, Clock clock,
                  SendEvents events) {
        this.events = events;
        this.settings = settings;
        this.tokens = tokens;
        this.http = http;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Sends until Graph answers {@code expected} (returned), refuses for good, or the deadline passes (both thrown).
     */
    HttpResponse<String> call(String method, URI uri, String contentType, byte[] body, int expected, String messageId,
                              Instant deadline) throws MailSendException {
        boolean repeatable = repeatable(method, uri);
        boolean retriedAuthentication = false;
        for (int attempt = 1; ; attempt++) {
            AccessToken token = tokens.token();
            String clientRequestId = UUID.randomUUID().toString();
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(settings.network().readTimeout())
                    .header("Authorization", "Bearer " + token.value())
                    .header("client-request-id", clientRequestId)
                    .header("return-client-request-id", "true")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            HttpResponse<String> response;
            try {
                response = withSlot(() -> http.send(request.build(), BoundedBody.ofString(BoundedBody.GRAPH_LIMIT)));
            } catch (IOException e) {
                if (!repeatable && !provablyNotSent(e)) {
                    throw outcomeUnknown(messageId, "no answer came (" + e + ")", e);
                }
                // Nothing reached Graph (the connection was refused or never set up), or repeating it is harmless.
                Duration wait = backoff(attempt);
                if (!fitsBefore(deadline, wait)) {
                    throw new MailSendException("Cannot reach Microsoft Graph at " + settings.graphUrl() + " for "
                            + messageId + ": " + e + " (" + attempt + " attempts within sendTimeoutSeconds="
                            + settings.graph().sendTimeout().toSeconds() + "); check graphUrl, httpProxy and the network "
                            + "path. Graph never confirmed the message.", "GraphUnreachable", e);
                }
                retry(messageId, "no answer (" + e + ")", wait);
                continue;
            }
            int status = response.statusCode();
            String requestId = response.headers().firstValue("request-id").orElse(clientRequestId);
            if (status == expected) {
                return response;
            }
            if (status == 401 && !retriedAuthentication) {
                // The token may have been revoked or issued before a permission change: one retry with a new one.
                tokens.invalidate(token);
                retriedAuthentication = true;
                continue;
            }
            if (status >= 500 && status != 503 && !repeatable) {
                // 500, 502, 504: something between Graph's front door and the mailbox failed or did not answer in
                // time, after the request had arrived; the message may have been queued all the same.
                throw outcomeUnknown(messageId, "Graph answered " + status + " (request-id " + requestId + ")", null);
            }
            if (status == 429 || status >= 500) {
                Duration wait = status == 429 || status == 503 || status == 504
                        ? retryAfter(response).orElse(backoff(attempt)) : backoff(attempt);
                if (fitsBefore(deadline, wait)) {
                    if (status == 429) {
                        events.throttled(wait);
                    }
                    retry(messageId, "HTTP " + status, wait);
                    continue;
                }
                throw errors.toException(status, response.body(), settings.fromAddress().getAddress(), requestId,
                        messageId, " Graph kept refusing for sendTimeoutSeconds=" + settings.graph().sendTimeout()
                                .toSeconds() + " (" + attempt + " attempts).");
            }
            throw errors.toException(status, response.body(), settings.fromAddress().getAddress(), requestId,
                    messageId, "");
        }
    }

    /**
     * Whether a request may be sent again when its answer is lost. A {@code POST} that sends, creates a draft or adds
     * an attachment would, repeated, send the message twice, leave a second draft or attach the file twice; a
     * {@code GET}, a {@code DELETE} and a new upload session (an unused one expires) do no harm twice.
     */
    static boolean repeatable(String method, URI uri) {
        return !"POST".equals(method) || uri.getPath().endsWith("/createUploadSession");
    }

    /**
     * Whether the failure proves that the request never reached Graph: the connection was refused, could not be set
     * up in time, or its TLS handshake failed, all before a byte of the request was sent. A timeout waiting for the
     * answer, a reset or a closed connection after the request was written prove nothing: Graph may have it.
     */
    static boolean provablyNotSent(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException
                    || t instanceof javax.net.ssl.SSLHandshakeException
                    || t instanceof java.net.UnknownHostException
                    || t instanceof java.nio.channels.UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    private MailSendException outcomeUnknown(String messageId, String what, Exception cause) {
        return new MailSendException("The outcome of sending message " + messageId + " through Microsoft Graph is "
                + "unknown: " + what + " after the request had reached " + settings.graphUrl() + ". Graph may have "
                + "accepted it, so it is not sent again (that could deliver it twice). Look for Message-ID " + messageId
                + " in the Sent Items of " + settings.fromAddress().getAddress() + " or in the message trace before "
                + "sending it again.", "OutcomeUnknown", cause);
    }

    /** Something that holds one of the mailbox's request slots while it runs. */
    interface Slotted<T> {
        T run() throws IOException, MailSendException, InterruptedException;
    }

    /** Runs {@code work} holding one of the mailbox's concurrent-request slots. */
    <T> T withSlot(Slotted<T> work) throws IOException, MailSendException {
        try (MailboxLimits.Slot slot = limits.acquire(events)) {
            return work.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while talking to Microsoft Graph", e);
        }
    }

    boolean fitsBefore(Instant deadline, Duration wait) {
        return Instant.now(clock).plus(wait).isBefore(deadline);
    }

    Instant deadline() {
        return Instant.now(clock).plus(settings.graph().sendTimeout());
    }

    /** Counts and logs a retry of {@code messageId}, then waits {@code wait} before it. */
    void retry(String messageId, String what, Duration wait) throws MailSendException {
        events.retried();
        LOG.log(Level.FINE, "M365MAIL-3002 Graph: {0} for {1}; retrying in {2} ms",
                new Object[]{LogText.of(what), LogText.of(messageId), wait.toMillis()});
        sleep(wait);
    }

    /** Exponential backoff with jitter, so that throttled senders do not retry in step. */
    static Duration backoff(int attempt) {
        long base = BACKOFF_MILLIS * (1L << Math.min(attempt - 1, 6));
        return Duration.ofMillis(base + ThreadLocalRandom.current().nextLong(base));
    }

    /** Graph's Retry-After, in seconds, possibly with a fraction ("2.128" in Graph's own example). */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                double seconds = Double.parseDouble(v.trim());
                return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofMillis((long) (seconds * 1000)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    static void sleep(Duration wait) throws MailSendException {
        try {
            Thread.sleep(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while waiting to retry a Graph request", e);
        }
    }
}
