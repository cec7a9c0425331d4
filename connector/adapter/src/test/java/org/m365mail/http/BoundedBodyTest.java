package org.m365mail.http;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An answer's body is read up to a bound, however much the other end sends. */
class BoundedBodyTest {

    private HttpServer server;
    private final AtomicLong written = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/endless", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
            try (OutputStream out = exchange.getResponseBody()) {
                // 256 MB, unless the client stops reading first.
                for (int i = 0; i < 4096; i++) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (java.io.IOException clientGone) {
                // what a bounded reader does
            }
        });
        server.createContext("/small", exchange -> {
            byte[] body = "{\"error\":{\"code\":\"ErrorAccessDenied\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(403, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpResponse<String> get(String path, int limit) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), BoundedBody.ofString(limit));
    }

    @Test
    void anEndlessAnswerIsCutAtTheBound() throws Exception {
        HttpResponse<String> response = get("/endless", 1024 * 1024);
        assertEquals(1024 * 1024 + BoundedBody.TRUNCATED.length(), response.body().length());
        assertTrue(response.body().endsWith(BoundedBody.TRUNCATED), "says it was cut, so no parser takes it whole");
        assertTrue(written.get() < 64L * 1024 * 1024, "the rest was not read: " + written.get() + " bytes written");
    }

    @Test
    void aSmallAnswerIsReadWhole() throws Exception {
        HttpResponse<String> response = get("/small", 1024 * 1024);
        assertEquals(403, response.statusCode());
        assertEquals("{\"error\":{\"code\":\"ErrorAccessDenied\"}}", response.body());
    }
}
