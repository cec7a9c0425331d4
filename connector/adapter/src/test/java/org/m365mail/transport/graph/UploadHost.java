package org.m365mail.transport.graph;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.m365mail.sandbox.M365Sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The host of upload URLs, between the connector and the stand-in's upload sessions: it passes each {@code PUT} and
 * {@code GET} on to the stand-in, records what it saw, and meets the troubles a test queues on the way (a network
 * or a front end that fails, as the stand-in's own upload faults do not). Point the stand-in's upload URLs here with
 * {@code sandbox.uploadUrlBase(host.base())}.
 */
final class UploadHost implements AutoCloseable {

    /** What happens to one request. */
    enum Trouble {
        /** Passed on; its answer comes back. */
        NONE,
        /** Answered {@code 503} here, never passed on: nothing stored. */
        UNAVAILABLE,
        /** The connection closes before anything is passed on: nothing stored, no answer. */
        DROPPED,
        /** Passed on and stored, then the connection closes: the answer is lost. */
        ANSWER_LOST,
        /** Answered {@code 404 ItemNotFound} here: the session expired. */
        SESSION_GONE,
        /** A {@code GET} answered {@code 200} with a body that has no {@code nextExpectedRanges}. */
        NO_RANGES,
        /** A {@code GET} answered {@code 200} with a body that is not JSON (a proxy's page). */
        GARBLED,
        /**
         * A {@code GET} answered {@code 200} with {@code nextExpectedRanges} halfway to the start of the last
         * {@code PUT}: a session that reports fewer bytes than it confirmed.
         */
        REPORTS_EARLIER
    }

    /** A request as seen: method, upload session (the URL's last path segment), Content-Range, what met it. */
    record Seen(String method, String session, String range, Trouble trouble) {
        long start() {
            return Long.parseLong(range.substring("bytes ".length(), range.indexOf('-')));
        }

        long end() {
            return Long.parseLong(range.substring(range.indexOf('-') + 1, range.indexOf('/')));
        }
    }

    private final HttpsServer server;
    private final HttpClient client;
    private final int standInPort;
    private final Queue<Trouble> puts = new ConcurrentLinkedQueue<>();
    private final Queue<Trouble> gets = new ConcurrentLinkedQueue<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    UploadHost(M365Sandbox sandbox) throws IOException {
        standInPort = URI.create(sandbox.graphUrl()).getPort();
        client = HttpClient.newBuilder().sslContext(sandbox.clientSslContext()).build();
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(sandbox.serverSslContext()));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base of upload URLs that lead here. */
    String base() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    /** Queues troubles for the next {@code PUT}s, in order; later ones are passed on. */
    UploadHost puts(Trouble... troubles) {
        puts.addAll(List.of(troubles));
        return this;
    }

    /** Queues troubles for the next {@code GET}s, in order; later ones are passed on. */
    UploadHost gets(Trouble... troubles) {
        gets.addAll(List.of(troubles));
        return this;
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    List<Seen> seen(String method) {
        return seen.stream().filter(s -> s.method().equals(method)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            byte[] body = exchange.getRequestBody().readAllBytes();
            String range = exchange.getRequestHeaders().getFirst("Content-Range");
            String[] path = exchange.getRequestURI().getPath().split("/");
            Trouble trouble = java.util.Objects.requireNonNullElse(("PUT".equals(method) ? puts : gets).poll(),
                    Trouble.NONE);
            seen.add(new Seen(method, path[path.length - 1], range, trouble));
            switch (trouble) {
                case UNAVAILABLE -> answer(exchange, 503, "{\"error\":{\"code\":\"ServiceUnavailable\","
                        + "\"message\":\"Service Unavailable\"}}");
                case DROPPED -> throw new IllegalStateException("closes the connection without an answer");
                case SESSION_GONE -> answer(exchange, 404, "{\"error\":{\"code\":\"ItemNotFound\","
                        + "\"message\":\"The upload session was not found or has expired.\"}}");
                case NO_RANGES -> answer(exchange, 200, "{\"expirationDateTime\":\"2030-01-01T00:00:00Z\"}");
                case GARBLED -> answer(exchange, 200, "<html><body>Gateway</body></html>");
                case REPORTS_EARLIER -> {
                    List<Seen> sent = seen("PUT");
                    answer(exchange, 200, "{\"nextExpectedRanges\":[\"" + sent.get(sent.size() - 1).start() / 2
                            + "-\"]}");
                }
                default -> {
                    HttpResponse<byte[]> passed = pass(exchange, method, body, range);
                    if (trouble == Trouble.ANSWER_LOST) {
                        throw new IllegalStateException("closes the connection without an answer");
                    }
                    passed.headers().firstValue("Location")
                            .ifPresent(l -> exchange.getResponseHeaders().set("Location", l));
                    answer(exchange, passed.statusCode(), new String(passed.body(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    private HttpResponse<byte[]> pass(HttpExchange exchange, String method, byte[] body, String range)
            throws IOException {
        URI uri = exchange.getRequestURI();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + standInPort
                + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
        if (range != null) {
            request.header("Content-Range", range);
        }
        request.method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.isEmpty() ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
