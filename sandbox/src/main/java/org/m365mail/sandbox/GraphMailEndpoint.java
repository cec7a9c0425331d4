package org.m365mail.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Microsoft Graph's {@code POST /v1.0/users/{id | userPrincipalName}/sendMail}, JSON and MIME.
 *
 * <p>Behaviour from https://learn.microsoft.com/en-us/graph/api/user-sendmail (202 Accepted with no body; JSON body
 * {@code message} + optional {@code saveToSentItems}, default true; MIME as base64 in a {@code text/plain} body,
 * {@code ErrorMimeContentInvalidBase64String} when it is not base64), error bodies from
 * https://learn.microsoft.com/en-us/graph/errors ({@code {"error":{"code","message","innerError":{...}}}}) and the
 * request limit of 4 MB from https://learn.microsoft.com/en-us/graph/outlook-large-attachments.
 *
 * <p>Throttling from https://learn.microsoft.com/en-us/graph/throttling and
 * https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits : at most four requests at once
 * per app and mailbox, else {@code 429 ApplicationThrottled} "Application is over its MailboxConcurrency limit." with
 * {@code Retry-After}. An application access policy that excludes the mailbox gets {@code 403 ErrorAccessDenied}
 * "Access to OData is disabled." (https://learn.microsoft.com/en-us/graph/auth-limit-mailbox-access); a mailbox
 * Graph cannot reach {@code MailboxNotEnabledForRESTAPI}; a From the mailbox may not use {@code ErrorSendAsDenied}.
 */
final class GraphMailEndpoint implements HttpHandler {

    /** Graph refuses request bodies above 4 MB with 413 (outlook-large-attachments: "less than 4 MB"). */
    static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

    /** Graph's per-mailbox concurrency limit for one app. */
    static final int CONCURRENT_REQUESTS = 4;

    private final SandboxDirectory directory;
    private final TokenIssuer issuer;
    private final Outbox outbox;
    private final GraphFaults faults = new GraphFaults();
    private final GraphDrafts drafts;
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> inFlight =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger mostInFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger inProgress = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> mostByMailbox =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger throttled = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
    private volatile java.time.Duration latency = java.time.Duration.ZERO;

    GraphMailEndpoint(SandboxDirectory directory, TokenIssuer issuer, Outbox outbox, java.nio.file.Path storage) {
        this.directory = directory;
        this.issuer = issuer;
        this.outbox = outbox;
        this.drafts = new GraphDrafts(storage, faults);
    }

    GraphDrafts drafts() {
        return drafts;
    }

    GraphFaults faults() {
        return faults;
    }

    /** Time every request takes before it is answered, as Graph's own processing would. */
    int mostInFlight(String mailbox) {
        java.util.concurrent.atomic.AtomicInteger most = mostByMailbox.get(mailbox.toLowerCase(java.util.Locale.ROOT));
        return most == null ? 0 : most.get();
    }

    void latency(java.time.Duration latency) {
        this.latency = latency;
    }

    /** Every request Graph's mail endpoints received. */
    long requests() {
        return requests.get();
    }

    int mostInFlight() {
        return mostInFlight.get();
    }

    /** Requests whose handling has not ended yet, a slow or late answer included. */
    int inProgress() {
        return inProgress.get();
    }

    int throttled() {
        return throttled.get();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        inProgress.incrementAndGet();
        try (exchange) {
            String requestId = UUID.randomUUID().toString();
            String clientRequestId = Optional.ofNullable(exchange.getRequestHeaders().getFirst("client-request-id"))
                    .orElse(requestId);
            exchange.getResponseHeaders().set("request-id", requestId);
            exchange.getResponseHeaders().set("client-request-id", clientRequestId);
            exchange.getResponseHeaders().set("x-ms-ags-diagnostic",
                    "{\"ServerInfo\":{\"DataCenter\":\"Sandbox\",\"Slice\":\"E\",\"Ring\":\"5\",\"ScaleUnit\":\"000\","
                            + "\"RoleInstance\":\"SANDBOX01\"}}");
            new Call(exchange, requestId, clientRequestId).run();
        } finally {
            inProgress.decrementAndGet();
        }
    }

    /** One request: its ids, and the way it answers errors. */
    /** The Graph operations the stand-in serves under {@code /v1.0/users/{id}/}. */
    private enum Operation { SEND_MAIL, CREATE_DRAFT, DELETE_DRAFT, ADD_ATTACHMENT, CREATE_UPLOAD_SESSION, SEND_DRAFT }

    private static Operation operation(String method, String[] path) {
        if (path.length < 5 || !"v1.0".equals(path[1]) || !"users".equals(path[2])) {
            return null;
        }
        boolean post = "POST".equals(method);
        if (path.length == 5 && post && "sendmail".equalsIgnoreCase(path[4])) {
            return Operation.SEND_MAIL;
        }
        if (!"messages".equals(path[4])) {
            return null;
        }
        if (path.length == 5 && post) {
            return Operation.CREATE_DRAFT;
        }
        if (path.length == 6 && "DELETE".equals(method)) {
            return Operation.DELETE_DRAFT;
        }
        if (path.length == 7 && post && "attachments".equals(path[6])) {
            return Operation.ADD_ATTACHMENT;
        }
        if (path.length == 7 && post && "send".equals(path[6])) {
            return Operation.SEND_DRAFT;
        }
        if (path.length == 8 && post && "attachments".equals(path[6]) && "createUploadSession".equals(path[7])) {
            return Operation.CREATE_UPLOAD_SESSION;
        }
        return null;
    }

    /**
     * Thrown from a request's handler to close its connection without an answer: the JDK's server closes the
     * connection of a handler that fails.
     */
    private static final class AnswerLost extends RuntimeException {
        AnswerLost() {
            super("the stand-in drops this answer (a fault a test asked for)", null, false, false);
        }
    }

    /** How late a hang or a late answer comes: longer than the read timeouts the tests give the connector. */
    private static final Duration FAULT_DELAY = Duration.ofSeconds(2);
    /** How slow a slow answer is: noticeably slow, and within any read timeout the tests give the connector. */
    private static final Duration SLOW_ANSWER = Duration.ofMillis(300);

    private final class Call {
        private GraphFaults.Fault afterAccepting;
        private Operation operation;
        private String draftId;
        private java.util.concurrent.atomic.AtomicInteger running;
        private boolean finished;
        private final HttpExchange exchange;
        private final String requestId;
        private final String clientRequestId;

        Call(HttpExchange exchange, String requestId, String clientRequestId) {
            this.exchange = exchange;
            this.requestId = requestId;
            this.clientRequestId = clientRequestId;
        }

        void run() throws IOException {
            String[] path = exchange.getRequestURI().getPath().split("/");
            String method = exchange.getRequestMethod();
            operation = operation(method, path);
            if (operation == null) {
                error(400, "BadRequest", "Resource not found for the segment '" + (path.length > 1
                        ? path[path.length - 1] : "") + "'.");
                return;
            }
            draftId = path.length > 5 ? path[5] : null;
            // Sending needs Mail.Send; drafts and attachments need Mail.ReadWrite (user-post-messages,
            // attachment-createuploadsession permission tables).
            String role = operation == Operation.SEND_MAIL || operation == Operation.SEND_DRAFT ? "Mail.Send"
                    : "Mail.ReadWrite";
            Optional<JsonObject> claims = authenticate(role);
            if (claims.isEmpty()) {
                return;
            }
            String tenantId = claims.get().getString("tid", "");
            String userId = path[3];
            Optional<SandboxDirectory.Tenant> tenant = directory.tenant(tenantId);
            Optional<SandboxDirectory.Mailbox> mailbox = tenant.flatMap(t -> t.mailbox(userId));
            if (mailbox.isEmpty()) {
                error(404, "ErrorInvalidUser", "The requested user '" + userId + "' is invalid.");
                return;
            }
            String user = claims.get().getString("upn", null);
            if (user != null && !user.equalsIgnoreCase(mailbox.get().address())) {
                // A user's token reaches another mailbox only with Mail.Send.Shared (or Mail.ReadWrite.Shared) and
                // Send As or Full Access on it (user-sendmail, "Permissions").
                List<String> scopes = List.of(claims.get().getString("scp", "").split(" "));
                if (!(scopes.contains(role + ".Shared") && mailbox.get().allowsSendAs(user))) {
                    error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
                    return;
                }
            } else if (user != null && !scopes(claims.get()).contains(role)) {
                error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
                return;
            }
            if (mailbox.get().blocks(claims.get().getString("appid", null))) {
                error(403, "ErrorAccessDenied", "Access to OData is disabled.");
                return;
            }
            if (!mailbox.get().restApiEnabled()) {
                error(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted "
                        + "on-premise.");
                return;
            }
            String key = claims.get().getString("appid", "") + "|" + mailbox.get().address();
            running = inFlight.computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicInteger());
            int now = running.incrementAndGet();
            mostInFlight.accumulateAndGet(now, Math::max);
            mostByMailbox.computeIfAbsent(mailbox.get().address().toLowerCase(java.util.Locale.ROOT),
                    k -> new java.util.concurrent.atomic.AtomicInteger()).accumulateAndGet(now, Math::max);
            try {
                if (now > CONCURRENT_REQUESTS) {
                    throttled.incrementAndGet();
                    exchange.getResponseHeaders().set("Retry-After", "1");
                    error(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.");
                    return;
                }
                pause();
                GraphFaults.Fault fault = faults.next();
                if (fault == GraphFaults.Fault.SLOW) {
                    sleep(SLOW_ANSWER);
                } else if (fault == GraphFaults.Fault.ANSWER_LOST_AFTER_ACCEPTING
                        || fault == GraphFaults.Fault.ANSWER_LATE_AFTER_ACCEPTING) {
                    afterAccepting = fault;
                } else if (fault != null) {
                    answer(fault);
                    return;
                }
                switch (operation) {
                    case SEND_MAIL -> accept(tenant.get(), mailbox.get());
                    default -> draftOperation(tenant.get(), mailbox.get());
                }
            } finally {
                finishProcessing();
            }
        }

        /**
         * The request stops counting against the mailbox's concurrency before its answer goes out, as at Graph: a
         * client that has its answer may send the next request at once.
         */
        private void finishProcessing() {
            if (running != null && !finished) {
                finished = true;
                running.decrementAndGet();
            }
        }

        private static void sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void pause() {
            if (!latency.isZero()) {
                try {
                    Thread.sleep(latency.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /**
         * The answer to a request whose work is done (the message taken, the draft step made), unless a fault loses
         * it or makes it late.
         */
        private void done(int status, String json) throws IOException {
            finishProcessing();
            if (afterAccepting == GraphFaults.Fault.ANSWER_LOST_AFTER_ACCEPTING) {
                throw new AnswerLost();
            }
            if (afterAccepting == GraphFaults.Fault.ANSWER_LATE_AFTER_ACCEPTING) {
                sleep(FAULT_DELAY);
            }
            if (json == null) {
                HttpReplies.empty(exchange, status);
            } else {
                HttpReplies.json(exchange, status, json);
            }
        }

        private void answer(GraphFaults.Fault fault) throws IOException {
            switch (fault) {
                case DROPPED_BEFORE_READING -> throw new AnswerLost();
                case GATEWAY_TIMEOUT -> error(504, "GatewayTimeout", "The request timed out.");
                case THROTTLED -> {
                    throttled.incrementAndGet();
                    exchange.getResponseHeaders().set("Retry-After", "0.2");
                    error(429, "TooManyRequests", "Please retry after");
                }
                case UNAVAILABLE -> {
                    exchange.getResponseHeaders().set("Retry-After", "0.2");
                    error(503, "ServiceUnavailable", "Service Unavailable");
                }
                case HANG -> {
                    sleep(FAULT_DELAY);
                    error(504, "GatewayTimeout", "The request timed out.");
                }
                default -> error(500, "InternalServerError", "An internal server error occurred.");
            }
        }

        private void accept(SandboxDirectory.Tenant tenant, SandboxDirectory.Mailbox mailbox) throws IOException {
            byte[] body = readLimited(exchange.getRequestBody());
            if (body == null) {
                error(413, "RequestBodyTooLarge", "The maximum request length supported is 4MB.");
                return;
            }
            String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type"))
                    .orElse("").toLowerCase(Locale.ROOT);
            DeliveredMessage message = contentType.startsWith("text/plain")
                    ? fromMime(mailbox, body)
                    : fromJson(mailbox, body);
            if (message == null) {
                return;
            }
            if (!deliverable(tenant, mailbox, message)) {
                return;
            }
            outbox.add(message);
            done(202, null);
        }

        private void draftOperation(SandboxDirectory.Tenant tenant, SandboxDirectory.Mailbox mailbox)
                throws IOException {
            if (operation == Operation.CREATE_DRAFT) {
                JsonObject message = readObject();
                if (message == null) {
                    return;
                }
                GraphDrafts.Draft draft = drafts.create(mailbox.address(), message);
                done(201, Json.createObjectBuilder(message).add("id", draft.id).add("isDraft", true).build()
                        .toString());
                return;
            }
            Optional<GraphDrafts.Draft> found = drafts.find(mailbox.address(), draftId);
            if (found.isEmpty()) {
                error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
                return;
            }
            GraphDrafts.Draft draft = found.get();
            switch (operation) {
                case DELETE_DRAFT -> {
                    drafts.remove(draft);
                    done(204, null);
                }
                case ADD_ATTACHMENT -> {
                    JsonObject a = readObject();
                    if (a == null) {
                        return;
                    }
                    byte[] content;
                    try {
                        content = Base64.getDecoder().decode(string(a, "contentBytes").orElse(""));
                    } catch (IllegalArgumentException e) {
                        error(400, "ErrorInvalidRequest", "The value of 'contentBytes' is not valid base64.");
                        return;
                    }
                    draft.attachments.add(DeliveredMessage.Attachment.of(string(a, "name").orElse(null),
                            string(a, "contentType").orElse("application/octet-stream"), content,
                            field(a, "isInline").map(v -> v == JsonValue.TRUE).orElse(false),
                            string(a, "contentId").orElse(null)));
                    done(201, Json.createObjectBuilder().add("id", UUID.randomUUID().toString()).build().toString());
                }
                case CREATE_UPLOAD_SESSION -> {
                    JsonObject root = readObject();
                    if (root == null) {
                        return;
                    }
                    Optional<JsonObject> item = field(root, "AttachmentItem").map(JsonValue::asJsonObject);
                    long size = item.flatMap(i -> field(i, "size")).map(v -> ((jakarta.json.JsonNumber) v).longValue())
                            .orElse(-1L);
                    if (item.isEmpty() || size < 0) {
                        error(400, "ErrorInvalidRequest", "AttachmentItem with attachmentType, name and size is required.");
                        return;
                    }
                    if (size > GraphDrafts.MAX_ATTACHMENT) {
                        error(400, "ErrorAttachmentSizeLimitExceeded", "The attachment is larger than 150 MB.");
                        return;
                    }
                    String answer = drafts.openUpload(draft, string(item.get(), "name").orElse("attachment"),
                            string(item.get(), "contentType").orElse("application/octet-stream"), size,
                            field(item.get(), "isInline").map(v -> v == JsonValue.TRUE).orElse(false),
                            string(item.get(), "contentId").orElse(null));
                    done(201, answer);
                }
                case SEND_DRAFT -> {
                    DeliveredMessage message = fromMessageJson(mailbox, draft.message, true,
                            draft.message.toString().getBytes(StandardCharsets.UTF_8), draft.attachments, "GRAPH_DRAFT");
                    if (!deliverable(tenant, mailbox, message)) {
                        return;
                    }
                    drafts.remove(draft);
                    outbox.add(message);
                    done(202, null);
                }
                default -> error(400, "BadRequest", "Unsupported operation.");
            }
        }

        private JsonObject readObject() throws IOException {
            byte[] body = readLimited(exchange.getRequestBody());
            if (body == null) {
                error(413, "RequestBodyTooLarge", "The maximum request length supported is 4MB.");
                return null;
            }
            try (JsonReader reader = Json.createReader(new ByteArrayInputStream(body))) {
                return reader.readObject();
            } catch (JsonException | IllegalStateException e) {
                error(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is "
                        + "set and payload is of valid JSON format.");
                return null;
            }
        }

        /** Checks recipients and the sender's rights; answers the error when the message cannot go. */
        private boolean deliverable(SandboxDirectory.Tenant tenant, SandboxDirectory.Mailbox mailbox,
                                    DeliveredMessage message) throws IOException {
            long size = message.attachments().stream().mapToLong(DeliveredMessage.Attachment::size).sum()
                    + (message.textBody() == null ? 0 : message.textBody().length())
                    + (message.htmlBody() == null ? 0 : message.htmlBody().length());
            if (size > mailbox.maxSendSize()) {
                // The mailbox's MaxSendSize (35 MB by default in Exchange Online).
                error(400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size., Cannot save "
                        + "changes made to an item to store.");
                return false;
            }
            if (message.allRecipients().isEmpty()) {
                error(400, "ErrorInvalidRecipients", "At least one recipient is not valid., A message can't be sent "
                        + "because it contains no recipients.");
                return false;
            }
            for (String recipient : message.allRecipients()) {
                if (!recipient.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                    error(400, "ErrorInvalidRecipients", "At least one recipient is not valid., Recipient '" + recipient
                            + "' is not resolved. All recipients must be resolved before a message can be submitted.");
                    return false;
                }
            }
            if (!maySendAs(tenant, mailbox, message.from(), message.sender())) {
                error(403, "ErrorSendAsDenied", "The user account which was used to submit this request does not have "
                        + "the right to send mail on behalf of the specified sending account., Cannot submit message.");
                return false;
            }
            return true;
        }

        /** From is the mailbox; or the mailbox has Send As on From; or it is the Sender with Send on Behalf. */
        private boolean maySendAs(SandboxDirectory.Tenant tenant, SandboxDirectory.Mailbox mailbox, String from,
                                  String sender) {
            if (from == null || from.equalsIgnoreCase(mailbox.address())) {
                return true;
            }
            return tenant.mailbox(from).map(m -> m.allowsSendAs(mailbox.address())
                    || (mailbox.address().equalsIgnoreCase(sender) && m.allowsSendOnBehalf(mailbox.address())))
                    .orElse(false);
        }

        private Optional<JsonObject> authenticate(String role) throws IOException {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    || authorization.substring(7).isBlank()) {
                error(401, "InvalidAuthenticationToken", "Access token is empty.");
                return Optional.empty();
            }
            Optional<JsonObject> claims = issuer.verify(authorization.substring(7).trim());
            if (claims.isEmpty()) {
                error(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed, there are no dots (.) "
                        + "or the signature does not validate.");
                return Optional.empty();
            }
            long now = issuer.now().getEpochSecond();
            if (claims.get().getJsonNumber("exp").longValue() <= now) {
                error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
                return Optional.empty();
            }
            if (!directory.isAudienceOf(SandboxDirectory.Resource.GRAPH, claims.get().getString("aud", ""))) {
                error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
                return Optional.empty();
            }
            // App-only tokens carry application permissions in roles; delegated tokens carry scopes in scp, where
            // Mail.Send.Shared covers another user's or a shared mailbox (checked against the mailbox below).
            JsonArray roles = claims.get().getJsonArray("roles");
            List<String> scopes = List.of(claims.get().getString("scp", "").split(" "));
            boolean maySend = roles != null && roles.getValuesAs(JsonString.class).stream()
                    .anyMatch(r -> r.getString().equals(role))
                    || scopes.contains(role) || scopes.contains(role + ".Shared");
            if (!maySend) {
                error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
                return Optional.empty();
            }
            return claims;
        }

        private static List<String> scopes(JsonObject claims) {
            return List.of(claims.getString("scp", "").split(" "));
        }

        private DeliveredMessage fromMime(SandboxDirectory.Mailbox mailbox, byte[] body) throws IOException {
            byte[] mime;
            try {
                // Line breaks are allowed in the base64; anything else that is not base64 is refused.
                mime = Base64.getDecoder().decode(new String(body, StandardCharsets.US_ASCII).replaceAll("[\\r\\n]", ""));
                if (mime.length == 0) {
                    throw new IllegalArgumentException("empty");
                }
            } catch (IllegalArgumentException e) {
                error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
                return null;
            }
            try {
                MimeMessageReader reader = new MimeMessageReader(mime);
                // MIME sendMail takes the recipients, Bcc included, from the headers and always saves a copy.
                return reader.delivered("GRAPH", "GRAPH_MIME", mailbox.address(), mailbox.address(),
                        reader.addresses(Message.RecipientType.BCC), true, requestId, body);
            } catch (MessagingException e) {
                error(400, "ErrorMimeContentInvalid", "The MIME content is invalid.");
                return null;
            }
        }

        private DeliveredMessage fromJson(SandboxDirectory.Mailbox mailbox, byte[] body) throws IOException {
            JsonObject root;
            try (JsonReader reader = Json.createReader(new ByteArrayInputStream(body))) {
                root = reader.readObject();
            } catch (JsonException | IllegalStateException e) {
                error(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is "
                        + "set and payload is of valid JSON format.");
                return null;
            }
            // Graph reads property names case-insensitively: the Graph SDK sends "Message"/"SaveToSentItems".
            JsonObject message = field(root, "message").filter(v -> v.getValueType() == JsonValue.ValueType.OBJECT)
                    .map(JsonValue::asJsonObject).orElse(null);
            if (message == null) {
                error(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.");
                return null;
            }
            boolean saveToSentItems = field(root, "saveToSentItems").map(v -> v != JsonValue.FALSE).orElse(true);
            return fromMessageJson(mailbox, message, saveToSentItems, body, List.of(), "GRAPH_JSON");
        }

        /** A Graph message resource (sendMail's message, or a draft) as delivered, with attachments added apart. */
        private DeliveredMessage fromMessageJson(SandboxDirectory.Mailbox mailbox, JsonObject message,
                                                 boolean saveToSentItems, byte[] body,
                                                 List<DeliveredMessage.Attachment> added, String route)
                throws IOException {
            String textBody = null;
            String htmlBody = null;
            Optional<JsonObject> bodyObject = field(message, "body").map(JsonValue::asJsonObject);
            if (bodyObject.isPresent()) {
                String type = string(bodyObject.get(), "contentType").orElse("text");
                String content = string(bodyObject.get(), "content").orElse("");
                if ("html".equalsIgnoreCase(type)) {
                    htmlBody = content;
                } else {
                    textBody = content;
                }
            }
            List<DeliveredMessage.Attachment> attachments = new ArrayList<>();
            for (JsonValue value : array(message, "attachments")) {
                JsonObject a = value.asJsonObject();
                String odataType = string(a, "@odata.type").orElse("");
                if (!odataType.equalsIgnoreCase("#microsoft.graph.fileAttachment")) {
                    error(400, "ErrorInvalidRequest", "The attachment type '" + odataType + "' is not supported.");
                    return null;
                }
                byte[] content;
                try {
                    content = Base64.getDecoder().decode(string(a, "contentBytes").orElse(""));
                } catch (IllegalArgumentException e) {
                    error(400, "ErrorInvalidRequest", "The value of 'contentBytes' is not valid base64.");
                    return null;
                }
                attachments.add(DeliveredMessage.Attachment.of(string(a, "name").orElse(null),
                        string(a, "contentType").orElse("application/octet-stream"), content,
                        field(a, "isInline").map(v -> v == JsonValue.TRUE).orElse(false),
                        string(a, "contentId").orElse(null)));
            }
            attachments.addAll(added);
            Map<String, String> headers = new LinkedHashMap<>();
            for (JsonValue value : array(message, "internetMessageHeaders")) {
                JsonObject h = value.asJsonObject();
                headers.put(string(h, "name").orElse(""), string(h, "value").orElse(""));
            }
            Optional<JsonObject> from = emailAddress(message, "from");
            Optional<JsonObject> sender = emailAddress(message, "sender");
            return new DeliveredMessage("GRAPH", mailbox.address(), mailbox.address(),
                    from.flatMap(f -> string(f, "address")).orElse(mailbox.address()),
                    from.flatMap(f -> string(f, "name")).orElse(mailbox.displayName()),
                    string(message, "subject").orElse(""),
                    recipients(message, "toRecipients"), recipients(message, "ccRecipients"),
                    recipients(message, "bccRecipients"), recipients(message, "replyTo"), textBody, htmlBody,
                    List.copyOf(attachments), headers, string(message, "internetMessageId").orElse(null),
                    saveToSentItems, requestId, body, Instant.now(),
                    sender.flatMap(f -> string(f, "address")).orElse(null),
                    string(message, "importance").orElse("normal").toLowerCase(Locale.ROOT), null, null, route);
        }

        private void error(int status, String code, String message) throws IOException {
            finishProcessing();
            // Answered before the body was read (authentication, an unknown mailbox): read the rest first, so that
            // none of it is left on the kept-alive TLS connection for the next request.
            exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
            String date = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                    .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            String body = Json.createObjectBuilder().add("error", Json.createObjectBuilder()
                    .add("code", code)
                    .add("message", message)
                    .add("innerError", Json.createObjectBuilder()
                            .add("date", date)
                            .add("request-id", requestId)
                            .add("client-request-id", clientRequestId))).build().toString();
            HttpReplies.json(exchange, status, body);
        }
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_REQUEST_BYTES + 1);
        if (bytes.length > MAX_REQUEST_BYTES) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return null;
        }
        return bytes;
    }

    private static Optional<JsonValue> field(JsonObject object, String name) {
        for (Map.Entry<String, JsonValue> e : object.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && e.getValue() != JsonValue.NULL) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> string(JsonObject object, String name) {
        return field(object, name).filter(v -> v.getValueType() == JsonValue.ValueType.STRING)
                .map(v -> ((JsonString) v).getString());
    }

    private static List<JsonValue> array(JsonObject object, String name) {
        return field(object, name).filter(v -> v.getValueType() == JsonValue.ValueType.ARRAY)
                .map(v -> (List<JsonValue>) v.asJsonArray()).orElse(List.of());
    }

    private static Optional<JsonObject> emailAddress(JsonObject message, String name) {
        return field(message, name).filter(v -> v.getValueType() == JsonValue.ValueType.OBJECT)
                .map(JsonValue::asJsonObject).flatMap(f -> field(f, "emailAddress")).map(JsonValue::asJsonObject);
    }

    private static List<String> recipients(JsonObject message, String name) {
        List<String> addresses = new ArrayList<>();
        for (JsonValue value : array(message, name)) {
            field(value.asJsonObject(), "emailAddress").map(JsonValue::asJsonObject)
                    .flatMap(e -> string(e, "address")).ifPresent(addresses::add);
        }
        return addresses;
    }
}
