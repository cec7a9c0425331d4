package org.m365mail.sandbox;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stand-in's Graph answers as Microsoft Graph documents it, on raw HTTPS requests. */
class GraphMailEndpointTest {

    private static M365Sandbox sandbox;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        sandbox = M365Sandbox.builder().workDir(Path.of("target/sandbox-graph-endpoint")).start();
        http = HttpClient.newBuilder().sslContext(sandbox.clientSslContext()).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static String token(String scope) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + SandboxDefaults.CLIENT_ID + "&client_secret="
                + URLEncoder.encode(SandboxDefaults.CLIENT_SECRET, StandardCharsets.UTF_8) + "&scope="
                + URLEncoder.encode(scope, StandardCharsets.UTF_8);
        return json(http.send(HttpRequest.newBuilder(URI.create(sandbox.authorityUrl() + "/" + SandboxDefaults.TENANT_ID
                + "/oauth2/v2.0/token")).POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).getString("access_token");
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }

    private static HttpResponse<String> post(String path, String token, String contentType, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sandbox.graphUrl() + path))
                .header("Content-Type", contentType).header("client-request-id", "my-correlation-id")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final String SEND = "/v1.0/users/" + SandboxDefaults.SENDER.replace("@", "%40") + "/sendMail";
    private static final String MESSAGE = "{\"Message\":{\"subject\":\"raw\",\"body\":{\"contentType\":\"Text\","
            + "\"content\":\"hi\"},\"toRecipients\":[{\"emailAddress\":{\"address\":\"" + SandboxDefaults.RECIPIENT
            + "\"}}]},\"SaveToSentItems\":false}";

    private static void expectError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject error = json(response.body()).getJsonObject("error");
        assertEquals(code, error.getString("code"), response.body());
        assertTrue(error.getJsonObject("innerError").containsKey("request-id"), response.body());
    }

    @Test
    void sendMailChecksTheTokenAndAnswers202WithRequestIds() throws Exception {
        expectError(post(SEND, null, "application/json", MESSAGE), 401, "InvalidAuthenticationToken");
        expectError(post(SEND, token("https://outlook.office365.com/.default"), "application/json", MESSAGE), 401,
                "InvalidAuthenticationToken");
        HttpResponse<String> accepted = post(SEND, token(sandbox.graphUrl() + "/.default"), "application/json", MESSAGE);
        assertEquals(202, accepted.statusCode(), accepted.body());
        assertEquals("", accepted.body());
        assertTrue(accepted.headers().firstValue("request-id").isPresent());
        assertEquals("my-correlation-id", accepted.headers().firstValue("client-request-id").orElseThrow());
        DeliveredMessage got = sandbox.outbox().withSubject("raw").get(0);
        assertTrue(!got.saveToSentItems(), "PascalCase keys as the Graph SDK sends them are read");
    }

    /**
     * A token is good for its own tenant, its audience and what its app may do: not for a mailbox of another tenant,
     * and not once a byte of it is changed (here its tenant claim, to reach that other tenant).
     */
    @Test
    void aTokenReachesNoOtherTenantsMailboxAndATamperedOneIsRefused() throws Exception {
        SandboxDirectory.Tenant fabrikam = sandbox.directory().addTenant("2c7d1e5f-3a4b-4c6d-8e9f-0a1b2c3d4e5f",
                "fabrikam.test");
        fabrikam.addMailbox("orders@fabrikam.test", "Fabrikam Orders");
        String token = token(sandbox.graphUrl() + "/.default");
        String other = "/v1.0/users/orders%40fabrikam.test/sendMail";
        expectError(postOnNewConnection(other, token, MESSAGE.replace("\"raw\"", "\"cross tenant\"")), 404,
                "ErrorInvalidUser");
        assertTrue(sandbox.outbox().withSubject("cross tenant").isEmpty());

        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(SandboxDefaults.TENANT_ID, fabrikam.id());
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        expectError(postOnNewConnection(other, forged, MESSAGE.replace("\"raw\"", "\"forged\"")), 401,
                "InvalidAuthenticationToken");
        assertTrue(sandbox.outbox().withSubject("forged").isEmpty());
    }

    /** A POST on a connection of its own: an answer refused early must not leave its body to the next request. */
    private static HttpResponse<String> postOnNewConnection(String path, String token, String body) throws Exception {
        HttpClient fresh = HttpClient.newBuilder().sslContext(sandbox.clientSslContext())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        return fresh.send(HttpRequest.newBuilder(URI.create(sandbox.graphUrl() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void mimeMustBeBase64AndRequestsAreLimitedTo4Mb() throws Exception {
        String token = token(sandbox.graphUrl() + "/.default");
        expectError(post(SEND, token, "text/plain", "this is *not* base64!"), 400, "ErrorMimeContentInvalidBase64String");
        String mime = Base64.getEncoder().encodeToString(("From: " + SandboxDefaults.SENDER + "\r\nTo: "
                + SandboxDefaults.RECIPIENT + "\r\nSubject: raw mime\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals(202, post(SEND, token, "text/plain", mime).statusCode());
        expectError(post(SEND, token, "application/json", "x".repeat(4 * 1024 * 1024 + 1)), 413, "RequestBodyTooLarge");
    }

    @Test
    void uploadSessionsArePreAuthenticatedAndTakeChunksInOrder() throws Exception {
        String token = token(sandbox.graphUrl() + "/.default");
        String messages = "/v1.0/users/" + SandboxDefaults.SENDER + "/messages";
        HttpResponse<String> draft = post(messages, token, "application/json", "{\"subject\":\"uploaded\",\"toRecipients\":"
                + "[{\"emailAddress\":{\"address\":\"" + SandboxDefaults.RECIPIENT + "\"}}]}");
        assertEquals(201, draft.statusCode(), draft.body());
        String id = json(draft.body()).getString("id");
        HttpResponse<String> session = post(messages + "/" + id + "/attachments/createUploadSession", token,
                "application/json", "{\"AttachmentItem\":{\"attachmentType\":\"file\",\"name\":\"a.bin\",\"size\":10}}");
        assertEquals(201, session.statusCode(), session.body());
        URI upload = URI.create(json(session.body()).getString("uploadUrl"));
        assertEquals("localhost", upload.getHost(), "the upload URL is on another host than Graph");

        byte[] first = "01234".getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(upload).header("Authorization", "Bearer " + token)
                .header("Content-Range", "bytes 0-4/10").PUT(HttpRequest.BodyPublishers.ofByteArray(first)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, withToken.statusCode());
        assertEquals("InvalidAudience", json(withToken.body()).getJsonObject("error").getString("code"));

        HttpResponse<String> wrongStart = put(upload, "bytes 5-9/10", "56789");
        assertEquals(416, wrongStart.statusCode());
        HttpResponse<String> part = put(upload, "bytes 0-4/10", "01234");
        assertEquals(200, part.statusCode());
        assertEquals("5-", json(part.body()).getJsonArray("nextExpectedRanges").getString(0));
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(upload).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("5-", json(status.body()).getJsonArray("nextExpectedRanges").getString(0));
        HttpResponse<String> last = put(upload, "bytes 5-9/10", "56789");
        assertEquals(201, last.statusCode());
        assertTrue(last.headers().firstValue("Location").isPresent());

        assertEquals(202, post(messages + "/" + id + "/send", token, "application/json", "").statusCode());
        DeliveredMessage got = sandbox.outbox().withSubject("uploaded").get(0);
        assertEquals("0123456789", new String(got.attachments().get(0).content(), StandardCharsets.US_ASCII));
    }

    private static HttpResponse<String> put(URI upload, String range, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(upload).header("Content-Range", range)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFifthConcurrentRequestForAMailboxIsThrottled() throws Exception {
        try (M365Sandbox slow = M365Sandbox.builder().workDir(Path.of("target/sandbox-graph-endpoint-slow"))
                .graphLatency(Duration.ofMillis(2000)).start()) {
            HttpClient client = HttpClient.newBuilder().sslContext(slow.clientSslContext()).build();
            String form = "grant_type=client_credentials&client_id=" + SandboxDefaults.CLIENT_ID + "&client_secret="
                    + URLEncoder.encode(SandboxDefaults.CLIENT_SECRET, StandardCharsets.UTF_8) + "&scope="
                    + URLEncoder.encode(slow.graphUrl() + "/.default", StandardCharsets.UTF_8);
            String token = json(client.send(HttpRequest.newBuilder(URI.create(slow.authorityUrl() + "/"
                    + SandboxDefaults.TENANT_ID + "/oauth2/v2.0/token")).POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).getString("access_token");
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(slow.graphUrl() + SEND))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(MESSAGE)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            long throttled = 0;
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> r = call.get();
                if (r.statusCode() == 429) {
                    throttled++;
                    assertEquals("ApplicationThrottled", json(r.body()).getJsonObject("error").getString("code"));
                    assertTrue(r.headers().firstValue("Retry-After").isPresent());
                }
            }
            assertEquals(2, throttled, "four at once are served, the rest throttled");
        }
    }
}
