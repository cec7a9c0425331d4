package org.m365mail.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draft messages and attachment upload sessions: the route Graph offers for attachments of 3 MB to 150 MB
 * (https://learn.microsoft.com/en-us/graph/outlook-large-attachments,
 * https://learn.microsoft.com/en-us/graph/api/attachment-createuploadsession).
 *
 * <p>{@code createUploadSession} answers {@code 201} with an {@code uploadUrl} on another host (Outlook's, at
 * Microsoft), pre-authenticated: a request that carries Graph's bearer token there is refused with
 * {@code 401 InvalidAudience}. Each {@code PUT} sends the next bytes, at most 4 MB, with
 * {@code Content-Range: bytes a-b/total}; the answer is {@code 200} with {@code nextExpectedRanges} until the last,
 * which is {@code 201} with a {@code Location}. {@code GET} on the upload URL reports {@code nextExpectedRanges}, so a
 * client can resume after a failed chunk. Uploaded bytes are written to disk; the stand-in keeps large attachments'
 * digests, not their bytes, so it can take 150 MB in a small heap.
 */
final class GraphDrafts implements HttpHandler {

    /** Graph's chunk limit for attachment uploads: "up to 4 MB each time". */
    static final int MAX_CHUNK = 4 * 1024 * 1024;
    /** Upload sessions take attachments up to 150 MB. */
    static final long MAX_ATTACHMENT = 150L * 1024 * 1024;
    private static final long KEEP_BYTES_UP_TO = 8L * 1024 * 1024;
    private static final Pattern RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    /** A draft in a mailbox's Drafts folder. */
    static final class Draft {
        final String id = "AAMkAD" + UUID.randomUUID().toString().replace("-", "");
        final String mailbox;
        final JsonObject message;
        final List<DeliveredMessage.Attachment> attachments = new CopyOnWriteArrayList<>();

        Draft(String mailbox, JsonObject message) {
            this.mailbox = mailbox;
            this.message = message;
        }
    }

    /** An upload session for one attachment of a draft. */
    private static final class Upload {
        final String id = UUID.randomUUID().toString();
        final Draft draft;
        final String name;
        final String contentType;
        final long size;
        final boolean inline;
        final String contentId;
        final Path file;
        final MessageDigest digest;
        final Instant expires = Instant.now().plus(15, ChronoUnit.MINUTES);
        long received;

        Upload(Draft draft, String name, String contentType, long size, boolean inline, String contentId, Path file) {
            this.draft = draft;
            this.name = name;
            this.contentType = contentType;
            this.size = size;
            this.inline = inline;
            this.contentId = contentId;
            this.file = file;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Map<String, Draft> drafts = new ConcurrentHashMap<>();
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Path storage;
    private final GraphFaults faults;
    private volatile String uploadBase;

    GraphDrafts(Path storage, GraphFaults faults) {
        this.storage = storage;
        this.faults = faults;
    }

    /** Upload URLs point to another host name than Graph's: {@code https://localhost:port}. */
    void uploadBase(String base) {
        this.uploadBase = base;
    }

    Draft create(String mailbox, JsonObject message) {
        Draft draft = new Draft(mailbox, message);
        drafts.put(draft.id, draft);
        return draft;
    }

    Optional<Draft> find(String mailbox, String id) {
        return Optional.ofNullable(drafts.get(id)).filter(d -> d.mailbox.equalsIgnoreCase(mailbox));
    }

    void remove(Draft draft) {
        drafts.remove(draft.id);
        uploads.values().removeIf(u -> u.draft == draft);
    }

    void clear() {
        drafts.clear();
        uploads.clear();
    }

    /** How many drafts are left in any mailbox: a sender that cleans up leaves none behind. */
    int count() {
        return drafts.size();
    }

    /** Opens an upload session; returns the JSON answer. */
    String openUpload(Draft draft, String name, String contentType, long size, boolean inline, String contentId)
            throws IOException {
        Files.createDirectories(storage);
        Upload upload = new Upload(draft, name, contentType, size, inline, contentId,
                Files.createTempFile(storage, "upload-", ".bin"));
        uploads.put(upload.id, upload);
        return Json.createObjectBuilder()
                .add("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession")
                .add("uploadUrl", uploadBase + "/upload/" + upload.id + "?authtoken=" + UUID.randomUUID())
                .add("expirationDateTime", upload.expires.toString())
                .add("nextExpectedRanges", Json.createArrayBuilder().add("0-"))
                .build().toString();
    }

    /** The upload URL: PUT a chunk, or GET where to resume. */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String host = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Host")).orElse("");
            String[] path = exchange.getRequestURI().getPath().split("/");
            Upload upload = path.length == 3 ? uploads.get(path[2]) : null;
            if (!host.startsWith("localhost") || upload == null) {
                exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
                error(exchange, 404, "ItemNotFound", "The upload session was not found or has expired.");
                return;
            }
            if (exchange.getRequestHeaders().containsKey("Authorization")) {
                error(exchange, 401, "InvalidAudience", "The audience claim value is invalid for this upload URL: "
                        + "it is pre-authenticated and takes no Authorization header.");
                return;
            }
            if ("GET".equals(exchange.getRequestMethod())) {
                HttpReplies.json(exchange, 200, status(upload));
                return;
            }
            if (!"PUT".equals(exchange.getRequestMethod())) {
                error(exchange, 405, "MethodNotAllowed", "Use PUT or GET on an upload URL.");
                return;
            }
            put(exchange, upload);
        }
    }

    private void put(HttpExchange exchange, Upload upload) throws IOException {
        Matcher range = RANGE.matcher(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Range"))
                .orElse(""));
        if (!range.matches()) {
            error(exchange, 400, "InvalidRequest", "Content-Range is missing or not 'bytes start-end/total'.");
            return;
        }
        long start = Long.parseLong(range.group(1));
        long end = Long.parseLong(range.group(2));
        long total = Long.parseLong(range.group(3));
        long length = end - start + 1;
        if (total != upload.size || end < start || end >= total) {
            error(exchange, 400, "InvalidRequest", "Content-Range does not match the session's size " + upload.size + ".");
            return;
        }
        if (length > MAX_CHUNK) {
            error(exchange, 413, "RequestEntityTooLarge", "A chunk may be at most 4 MB.");
            return;
        }
        if (start != upload.received) {
            error(exchange, 416, "InvalidRange", "Expected the range starting at " + upload.received + ".");
            return;
        }
        if (faults.takeSessionExpiry(upload.received == 0)) {
            uploads.remove(upload.id);
            Files.deleteIfExists(upload.file);
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            error(exchange, 404, "ItemNotFound", "The upload session was not found or has expired.");
            return;
        }
        boolean fail = faults.takeUploadFault();
        long keep = fail ? length / 2 : length;
        try (InputStream in = exchange.getRequestBody();
             OutputStream out = new DigestOutputStream(Files.newOutputStream(upload.file,
                     java.nio.file.StandardOpenOption.APPEND), upload.digest)) {
            byte[] buffer = new byte[64 * 1024];
            long copied = 0;
            int n;
            while (copied < keep && (n = in.read(buffer, 0, (int) Math.min(buffer.length, keep - copied))) > 0) {
                out.write(buffer, 0, n);
                copied += n;
            }
            upload.received += copied;
            in.transferTo(OutputStream.nullOutputStream());
        }
        if (fail) {
            error(exchange, 500, "InternalServerError", "The chunk was only partly stored.");
            return;
        }
        if (upload.received < upload.size) {
            HttpReplies.json(exchange, 200, status(upload));
            return;
        }
        uploads.remove(upload.id);
        byte[] content = upload.size <= KEEP_BYTES_UP_TO ? Files.readAllBytes(upload.file) : null;
        Files.deleteIfExists(upload.file);
        String attachmentId = "AAMkADAtt" + UUID.randomUUID().toString().replace("-", "");
        upload.draft.attachments.add(new DeliveredMessage.Attachment(upload.name, upload.contentType, content,
                upload.inline, upload.contentId, upload.size, HexFormat.of().formatHex(upload.digest.digest())));
        exchange.getResponseHeaders().set("Location", "https://graph.microsoft.com/v1.0/users('" + upload.draft.mailbox
                + "')/messages('" + upload.draft.id + "')/attachments('" + attachmentId + "')");
        HttpReplies.empty(exchange, 201);
    }

    private static String status(Upload upload) {
        return Json.createObjectBuilder()
                .add("expirationDateTime", upload.expires.toString())
                .add("nextExpectedRanges", Json.createArrayBuilder().add(upload.received + "-"))
                .build().toString();
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        // An error answered before the request's body was read: read the rest first, so that none of it is left on
        // the kept-alive TLS connection for the next request to stumble on.
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        HttpReplies.json(exchange, status, Json.createObjectBuilder().add("error", Json.createObjectBuilder()
                .add("code", code).add("message", message)).build().toString());
    }
}
