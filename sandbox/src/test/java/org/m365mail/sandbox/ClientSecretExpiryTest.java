package org.m365mail.sandbox;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client secrets stop working at their expiry by the sandbox's clock, with Entra's AADSTS7000222. */
class ClientSecretExpiryTest {

    /** Far from the real date, so a check against the machine's clock instead of the sandbox's would show. */
    private static final Instant START = Instant.parse("2031-03-01T09:00:00Z");
    private static final MovableClock CLOCK = new MovableClock();
    private static M365Sandbox sandbox;
    private static HttpClient http;
    private static SandboxDirectory.App app;

    @BeforeAll
    static void start() throws Exception {
        sandbox = M365Sandbox.builder().workDir(Path.of("target/sandbox-secret-expiry")).clock(CLOCK).start();
        http = HttpClient.newBuilder().sslContext(sandbox.clientSslContext()).build();
        app = sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID)
                .orElseThrow();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @BeforeEach
    void rewind() {
        CLOCK.now = START;
    }

    /** A clock the test moves; the sandbox reads it from its request threads. */
    private static final class MovableClock extends Clock {
        volatile Instant now = START;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static HttpResponse<String> token(String secret) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + SandboxDefaults.CLIENT_ID + "&client_secret="
                + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope="
                + URLEncoder.encode("https://graph.microsoft.com/.default", StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(URI.create(sandbox.authorityUrl() + "/" + SandboxDefaults.TENANT_ID
                        + "/oauth2/v2.0/token")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    @Test
    void aSecretWorksUntilItsExpiryAndFromThenOnGetsAadsts7000222() throws Exception {
        String secret = "expiring~" + "s".repeat(30);
        app.addSecret(secret, START.plus(Duration.ofDays(30)));
        assertEquals(200, token(secret).statusCode());

        CLOCK.now = START.plus(Duration.ofDays(30)).minusSeconds(1);
        assertEquals(200, token(secret).statusCode(), "still valid a second before");

        CLOCK.now = START.plus(Duration.ofDays(30));
        HttpResponse<String> expired = token(secret);
        assertEquals(401, expired.statusCode(), expired.body());
        JsonObject body = json(expired);
        assertEquals("invalid_client", body.getString("error"));
        assertEquals(7000222, body.getJsonArray("error_codes").getInt(0));
        String description = body.getString("error_description");
        assertTrue(description.startsWith("AADSTS7000222: The provided client secret keys for app '"
                + SandboxDefaults.CLIENT_ID + "' are expired. Visit the Azure portal to create new keys for your app: "
                + "https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: "
                + "https://aka.ms/certCreds. Trace ID: "), description);
        assertTrue(description.contains(" Correlation ID: " + body.getString("correlation_id")), description);
        assertTrue(body.containsKey("trace_id") && body.containsKey("timestamp"), body.toString());
        assertEquals("AADSTS7000222", last().error());
        assertEquals(TokenRequestLog.secretId(secret), last().credential());
    }

    @Test
    void expiryIsJudgedByTheSandboxClockNotTheMachines() throws Exception {
        // Expired by the sandbox's clock, though years ahead of the machine's.
        String secret = "past-by-sandbox-time";
        app.addSecret(secret, START.minus(Duration.ofDays(1)));
        assertEquals(7000222, json(token(secret)).getJsonArray("error_codes").getInt(0));
        CLOCK.now = START.minus(Duration.ofDays(2));
        assertEquals(200, token(secret).statusCode());
    }

    @Test
    void aSecretWithoutExpiryNeverExpiresAndAnUnknownOneIsStillInvalid() throws Exception {
        CLOCK.now = START.plus(Duration.ofDays(3650));
        assertEquals(200, token(SandboxDefaults.CLIENT_SECRET).statusCode());
        assertEquals(7000215, json(token("never-added")).getJsonArray("error_codes").getInt(0));
    }

    @Test
    void aRemovedSecretIsUnknownEvenIfItHadExpired() throws Exception {
        String secret = "removed-after-expiry";
        app.addSecret(secret, START.minusSeconds(1));
        assertEquals(7000222, json(token(secret)).getJsonArray("error_codes").getInt(0));
        app.removeSecret(secret);
        assertEquals(7000215, json(token(secret)).getJsonArray("error_codes").getInt(0));
        assertEquals(200, token(SandboxDefaults.CLIENT_SECRET).statusCode(), "the app's other secret still works");
    }

    private static TokenRequestLog.Entry last() {
        java.util.List<TokenRequestLog.Entry> entries = sandbox.tokenRequests().entries();
        return entries.get(entries.size() - 1);
    }
}
