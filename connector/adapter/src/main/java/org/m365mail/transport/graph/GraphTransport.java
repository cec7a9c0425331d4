package org.m365mail.transport.graph;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.MailSettings;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;
import org.m365mail.transport.MessageIds;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends mail through Microsoft Graph: {@code POST {graphUrl}/v1.0/users/{fromAddress}/sendMail} with the message as
 * JSON (https://learn.microsoft.com/en-us/graph/api/user-sendmail).
 *
 * <p>A lean client on the JDK's {@link HttpClient}: the Graph SDK would put 44 jars (78 MB) into the RAR, visible
 * to every application on a GlassFish-family server. Graph answers {@code 202 Accepted} with no body, so the
 * connector gives each message its own {@code Message-ID} and returns it with Graph's {@code request-id}.
 */
public final class GraphTransport implements MailTransport {

    private static final Logger LOG = Logger.getLogger(GraphTransport.class.getName());
    /** Graph refuses requests over 4 MB (https://learn.microsoft.com/en-us/graph/outlook-large-attachments). */
    static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;
    private static final int MAX_ATTEMPTS = 4;
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private final MailSettings settings;
    private final TokenSource tokens;
    private final HttpClient http;
    private final GraphMessageJson json = new GraphMessageJson();
    private final GraphErrors errors = new GraphErrors();
    private final URI sendMailUri;

    public GraphTransport(MailSettings settings, TokenSource tokens, SSLContext tls) {
        this.settings = settings;
        this.tokens = tokens;
        this.http = HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.sendMailUri = URI.create(settings.graphUrl() + "/v1.0/users/"
                + URLEncoder.encode(settings.fromAddress().getAddress(), StandardCharsets.UTF_8) + "/sendMail");
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
        String messageId;
        byte[] body;
        try {
            messageId = MessageIds.prepare(message, settings.fromAddress());
            body = json.sendMailBody(message, settings.fromAddress(), settings.fromName(), messageId, true);
        } catch (MessagingException | IOException e) {
            throw new MailSendException("Cannot read the message to send it through Graph: " + e.getMessage(), e);
        }
        if (body.length > MAX_REQUEST_BYTES) {
            throw new MailSendException("The message is " + body.length / 1024 + " KB as a Graph request, above "
                    + "Graph's 4 MB request limit; send smaller attachments or use transport SMTP", "RequestBodyTooLarge",
                    null);
        }
        boolean retriedAuthentication = false;
        for (int attempt = 1; ; attempt++) {
            AccessToken token = tokens.token();
            String clientRequestId = UUID.randomUUID().toString();
            HttpResponse<String> response = post(body, token, clientRequestId);
            int status = response.statusCode();
            String requestId = response.headers().firstValue("request-id").orElse(clientRequestId);
            if (status == 202) {
                LOG.fine(() -> "M365MAIL-3001 Graph accepted " + messageId + " from " + settings.fromAddress()
                        + " (request-id " + requestId + ")");
                return new SentMessage(messageId, "GRAPH", requestId, Instant.now());
            }
            if (status == 401 && !retriedAuthentication) {
                // The token may have been revoked or issued before a permission change: one retry with a new one.
                tokens.invalidate(token);
                retriedAuthentication = true;
                continue;
            }
            if ((status == 429 || status == 503 || status == 504) && attempt < MAX_ATTEMPTS) {
                Duration wait = retryAfter(response).orElse(Duration.ofSeconds(1L << (attempt - 1)));
                LOG.log(Level.INFO, "M365MAIL-3002 Graph answered {0} for {1}; retrying in {2} s",
                        new Object[]{status, messageId, wait.toSeconds()});
                sleep(wait);
                continue;
            }
            throw errors.toException(status, response.body(), settings.fromAddress().getAddress(), requestId);
        }
    }

    private HttpResponse<String> post(byte[] body, AccessToken token, String clientRequestId) throws MailSendException {
        HttpRequest request = HttpRequest.newBuilder(sendMailUri)
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token.value())
                .header("Content-Type", "application/json")
                .header("client-request-id", clientRequestId)
                .header("return-client-request-id", "true")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new MailSendException("Cannot reach Microsoft Graph at " + settings.graphUrl() + ": " + e
                    + "; check graphUrl and the network path. The message was not sent.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while sending through Microsoft Graph", e);
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                long seconds = Long.parseLong(v.trim());
                return Optional.of(Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER.toSeconds())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static void sleep(Duration wait) throws MailSendException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while waiting to retry a Graph request", e);
        }
    }

    @Override
    public void close() {
        // HttpClient (Java 17) has no close(); its threads end when it is unreachable.
    }
}
