package org.m365mail.transport.graph;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.MailSettings;
import org.m365mail.monitor.SendEvents;
import org.m365mail.logging.LogText;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;
import org.m365mail.policy.Admission;
import org.m365mail.policy.MailboxLimits;
import org.m365mail.policy.SendingPolicy;
import org.m365mail.runtime.ConnectorRuntime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends mail through Microsoft Graph's {@code POST {graphUrl}/v1.0/users/{fromAddress}/sendMail}
 * (https://learn.microsoft.com/en-us/graph/api/user-sendmail), choosing per message the cheapest route that keeps it
 * whole:
 * <ol>
 *   <li><b>JSON</b> — the message as Graph's message resource: subject, one body (HTML if the message has one, else
 *       text), recipients, reply-to, attachments and inline images, {@code X-} headers, importance, Message-ID,
 *       From/Sender, and {@code saveToSentItems}. Used unless the next rule applies.
 *   <li><b>MIME</b> — the RFC 5322 message, base64-encoded, as {@code text/plain}: for what JSON cannot carry, a text
 *       and an HTML alternative together, {@code In-Reply-To}/{@code References}, or {@code Auto-Submitted} (alerts
 *       and other automatic mail, so that out-of-office replies stay away). MIME cannot say
 *       {@code saveToSentItems=false}, so with that setting such a message goes as JSON (HTML body, no reply headers).
 *   <li><b>Draft, attachments, send</b> — for attachments of 3 MB and more (upload sessions, up to 150 MB each) or
 *       when the request would pass Graph's 4 MB limit: see {@link LargeMessageUpload}.
 * </ol>
 *
 * <p>A lean client on the JDK's {@link HttpClient}: the Graph SDK would put 44 jars (78 MB) into the RAR, visible to
 * every application on a GlassFish-family server. Graph answers {@code 202 Accepted} with no body, so the connector
 * gives each message a Message-ID and returns it with Graph's {@code request-id}.
 *
 * <p>Throttling and faults (https://learn.microsoft.com/en-us/graph/throttling): at most
 * {@code graphMaxConcurrentRequests} requests at once per mailbox (Graph allows 4); {@code 429}/{@code 503} wait for
 * {@code Retry-After}, a refused connection backs off with jitter, all within {@code sendTimeoutSeconds}. A request
 * that may have reached Graph is never sent again: a lost answer or a {@code 500}/{@code 502}/{@code 504} ends the
 * send with {@code OutcomeUnknown} (see {@link GraphRequests}).
 */
public final class GraphTransport implements MailTransport {

    private static final Logger LOG = Logger.getLogger(GraphTransport.class.getName());
    /** Graph refuses requests over 4 MB (https://learn.microsoft.com/en-us/graph/outlook-large-attachments). */
    static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;
    private static final long BACKOFF_MILLIS = 500;

    private final MailSettings settings;
    private final TokenSource tokens;
    private final HttpClient http;
    private final Clock clock;
    private final GraphMessageJson json = new GraphMessageJson();
    private final URI sendMailUri;
    private final GraphRequests requests;
    private final LargeMessageUpload large;
    private final SendingPolicy policy;

    /**
     * @param runtime the deployment's: its mailbox limits
     */
    public GraphTransport(ConnectorRuntime runtime, MailSettings settings, TokenSource tokens, HttpClient http,
                          Clock clock) {
        this(runtime, settings, tokens, http, clock, SendEvents.NONE);
    }

    /**
     * @param events told of retries and of waits for the pace or a request slot (the pool's monitor)
     */
    public GraphTransport(ConnectorRuntime runtime, MailSettings settings, TokenSource tokens, HttpClient http,
                          Clock clock, SendEvents events) {
        this.settings = settings;
        this.tokens = tokens;
        this.http = http;
        this.clock = clock;
        String mailbox = settings.fromAddress().getAddress();
        this.sendMailUri = URI.create(settings.graphUrl() + "/v1.0/users/"
                + URLEncoder.encode(mailbox, StandardCharsets.UTF_8) + "/sendMail");
        MailboxLimits limits = MailboxLimits.of(runtime, "graph " + settings.graphUrl(), mailbox,
                settings.graph().concurrentRequests(), 0, clock, settings.sending().scope(),
                settings.graph().sendTimeout());
        this.policy = new SendingPolicy(settings, runtime, clock, events);
        this.requests = new GraphRequests(settings, tokens, http, limits, clock, events);
        this.large = new LargeMessageUpload(settings, requests, http, clock, json);
    }

    @Override
    public MailChannel open() {
        return new MailChannel() {
            @Override
            public SentMessage send(Message message) throws MailSendException {
                return GraphTransport.this.send(message);
            }

            @Override
            public boolean isBroken() {
                // Nothing to break: HTTP connections are the client's, shared and re-established as needed.
                return false;
            }

            @Override
            public void close() {
            }
        };
    }

    SentMessage send(Message message) throws MailSendException {
        try (Admission admitted = policy.admit(message)) {
            String messageId = admitted.messageId();
            try {
                GraphMessageJson.Shape shape = GraphMessageJson.shape(message);
                if (hasLargeAttachment(shape)) {
                    return large.send(message, shape, admitted.from(), admitted.sender(), messageId);
                }
                boolean mime = (shape.hasAlternatives() || shape.hasMimeOnlyHeaders) && settings.graph().saveToSentItems();
                Request request = mime ? new Request("MIME", "text/plain", mimeBody(message))
                        : new Request("JSON", "application/json", json.sendMailBody(message, shape, admitted.from(),
                        admitted.sender(), messageId, settings.graph().saveToSentItems()));
                if (request.body.length > MAX_REQUEST_BYTES) {
                    // Attachments under 3 MB each that add up to more than a request may carry: one request each.
                    return large.send(message, shape, admitted.from(), admitted.sender(), messageId);
                }
                return post(request, messageId);
            } catch (MessagingException | IOException e) {
                throw new MailSendException("Cannot read message " + messageId + " to send it through Graph: "
                        + e.getMessage(), e);
            }
        }
    }

    private static boolean hasLargeAttachment(GraphMessageJson.Shape shape) throws MessagingException, IOException {
        for (jakarta.mail.Part part : shape.content.attachments) {
            if (LargeMessageUpload.sizeOf(part) >= LargeMessageUpload.LARGE) {
                return true;
            }
        }
        return false;
    }

    private static byte[] mimeBody(Message message) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        // The Bcc header stays in: MIME sendMail takes every recipient from the headers and removes Bcc itself.
        // One unbroken base64 string, as in Graph's own example of a MIME sendMail.
        try (OutputStream base64 = Base64.getEncoder().wrap(out)) {
            message.writeTo(base64);
        }
        return out.toByteArray();
    }

    private record Request(String route, String contentType, byte[] body) {
    }

    private SentMessage post(Request request, String messageId) throws MailSendException {
        HttpResponse<String> response = requests.call("POST", sendMailUri, request.contentType, request.body, 202,
                messageId, requests.deadline());
        String requestId = response.headers().firstValue("request-id").orElse(null);
        LOG.log(Level.FINE, "M365MAIL-3001 Graph accepted {0} from {1} ({2}, request-id {3})",
                new Object[]{LogText.of(messageId), settings.fromAddress().getAddress(), request.route,
                        LogText.of(requestId)});
        return new SentMessage(messageId, "GRAPH", requestId, Instant.now(clock));
    }

    @Override
    public void renewToken() throws MailSendException {
        tokens.renew();
    }

    @Override
    public void close() {
        // HttpClient (Java 17) has no close(); its threads end when it is unreachable.
    }
}
